#!/usr/bin/env bash
# Installs Bulwark's real test peers (kube-apiserver, etcd, OpenBao, Consul, moto, ...) into a
# cache outside the work tree, then writes ${BULWARK_PEERS_DIR}/peers.json.
#
# Usage: bash test/peers/install.sh [peer...]        (default: all peers)
#        bash test/peers/install.sh --list
#
# Idempotent: a peer already cached prints one line and is skipped, so warm runs take seconds.
# With CI=true a peer that cannot be installed fails the script (non-zero exit, naming the peer
# and the failing command); otherwise it warns and carries on.
#
# Environment:
#   BULWARK_PEERS_DIR   cache of built peers (default: $HOME/.cache/bulwark/peers)
#   BULWARK_GO_DIR      GOMODCACHE/GOCACHE root (default: $HOME/.cache/bulwark/go)
#   BULWARK_PEERS_FORCE=1  rebuild the requested peers even if cached
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$HERE/versions.env"

PEERS_DIR=${BULWARK_PEERS_DIR:-$HOME/.cache/bulwark/peers}
GO_DIR=${BULWARK_GO_DIR:-$HOME/.cache/bulwark/go}
mkdir -p "$PEERS_DIR" "$GO_DIR" || { echo "install.sh: cannot create $PEERS_DIR" >&2; exit 1; }
PEERS_DIR=$(cd "$PEERS_DIR" && pwd)
GO_DIR=$(cd "$GO_DIR" && pwd)
ENTRIES_DIR=$PEERS_DIR/.entries # one JSON fragment per installed peer, merged into peers.json
LOG_DIR=$PEERS_DIR/logs
WORK_DIR=$GO_DIR/wrappers # throwaway wrapper Go modules (never inside the repository)
mkdir -p "$ENTRIES_DIR" "$LOG_DIR" "$WORK_DIR"

# go may be installed but not on a non-login shell's PATH (e.g. in CI).
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH=/usr/local/go/bin:$PATH; fi
export GOMODCACHE=$GO_DIR/mod
export GOCACHE=$GO_DIR/build
export GOTOOLCHAIN=local
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
export GOWORK=off
GO_LDFLAGS='-s -w'

IN_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IN_CI=true

ALL_PEERS=(etcd kubernetes node-runtime cni-plugins moto promtool postgresql hadolint lowkey-vault gcp-secret-manager-emulator openbao consul helm cert-manager-crds)
# Peers that may legitimately be unavailable here (not served by the reachable registries);
# their failure is a warning, never a CI failure.
OPTIONAL_PEERS=" hadolint lowkey-vault "

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARN: %s\n' "$*" >&2; }

FAILED_CMD=""
CUR_LOG=/dev/null
# run CMD...: runs a command with its output appended to the current peer's log; on failure
# remembers the command line for the error message.
run() {
  printf '+ %s\n' "$*" >>"$CUR_LOG"
  if ! "$@" >>"$CUR_LOG" 2>&1; then
    FAILED_CMD="$*"
    return 1
  fi
}

# entry NAME JSON_VALUE: records a peers.json entry.
entry() { printf '%s' "$2" >"$ENTRIES_DIR/$1.json"; }
jstr() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

# cached DIR [FILE...]: true when DIR was completed by an earlier run, its FILEs are still there,
# and BULWARK_PEERS_FORCE is not set.
cached() {
  [[ -z "${BULWARK_PEERS_FORCE:-}" && -f "$1/.complete" ]] || return 1
  local f
  for f in "${@:2}"; do [[ -e "$f" ]] || return 1; done
}
mark_complete() { date -u +%FT%TZ >"$1/.complete"; }

# staging DIR: a fresh staging dir next to DIR, moved into place by finish DIR.
STAGED=""
stage() { STAGED=$1.tmp && rm -rf "$1.tmp" && mkdir -p "$1.tmp"; }
finish() { mark_complete "$1.tmp" && rm -rf "$1" && mv "$1.tmp" "$1"; }

elapsed() { local s=$(($(date +%s) - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# mod_info MODULE@VERSION FIELD: go mod download -json, one field (GoMod, Dir, Version).
mod_info() {
  local json
  json=$(go mod download -json "$1" 2>>"$CUR_LOG") || { FAILED_CMD="go mod download -json $1"; return 1; }
  printf '%s\n' "$json" | sed -n "s/^[[:space:]]*\"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n1
}

# wrapper NAME: creates an empty throwaway module $WORK_DIR/NAME and cds into it.
wrapper() {
  local d=$WORK_DIR/$1
  rm -rf "$d" && mkdir -p "$d" && cd "$d" || { FAILED_CMD="mkdir $d"; return 1; }
  run go mod init "bulwark.local/peers/$1" || return 1
}

need_go() { command -v go >/dev/null || { FAILED_CMD="go (not on PATH)"; return 1; }; }

# ---------------------------------------------------------------------------------------------
# etcd: go.etcd.io/etcd/server/v3 (its go.mod has local replaces -> wrapper module).
peer_etcd() {
  local dir=$PEERS_DIR/etcd-$ETCD_VERSION
  entry etcd "$(jstr "$dir/etcd")"
  if cached "$dir" "$dir/etcd"; then say "etcd $ETCD_VERSION cached: $dir/etcd"; return 0; fi
  need_go || return 1
  say "building etcd $ETCD_VERSION (first run, ~2 min)..."
  stage "$dir"
  go_wrapper_build "etcd-$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$dir.tmp" \
    go.etcd.io/etcd/server/v3 || return 1
  # go names the binary of go.etcd.io/etcd/server/v3 "server"
  mv "$dir.tmp/server" "$dir.tmp/etcd" || { FAILED_CMD="mv server etcd"; return 1; }
  run "$dir.tmp/etcd" --version || return 1
  finish "$dir"
}

# kubernetes: the control plane and the node from k8s.io/kubernetes, in one build (the binaries
# share most packages). The root go.mod points every staging module at ./staging/...; the
# wrapper replaces each with its published v0.<minor>.<patch>.
KUBE_BINARIES=(kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy)
peer_kubernetes() {
  local v=$KUBERNETES_VERSION dir=$PEERS_DIR/kubernetes-$KUBERNETES_VERSION b
  local bins=() pkgs=() tools=()
  for b in "${KUBE_BINARIES[@]}"; do
    entry "$b" "$(jstr "$dir/$b")"
    bins+=("$dir/$b") pkgs+=("k8s.io/kubernetes/cmd/$b") tools+=("k8s.io/kubernetes/cmd/$b@$v")
  done
  if cached "$dir" "${bins[@]}"; then say "kubernetes $v (${KUBE_BINARIES[*]}) cached: $dir"; return 0; fi
  need_go || return 1
  say "building ${KUBE_BINARIES[*]} $v (first run, ~15-25 min on 2 cores)..."
  stage "$dir"
  wrapper "kubernetes-$v" || return 1
  local gomod staging m minor major
  gomod=$(mod_info "k8s.io/kubernetes@$v" GoMod) || return 1
  [[ -f "$gomod" ]] || { FAILED_CMD="go mod download -json k8s.io/kubernetes@$v (no GoMod)"; return 1; }
  staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$gomod")
  [[ -n "$staging" ]] || { FAILED_CMD="parse staging replaces from $gomod"; return 1; }
  {
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m v0.${v#v1.}"; done
    echo ")"
  } >>go.mod
  run go get -tool "${tools[@]}" || return 1
  major=1 minor=${v#v1.} minor=${minor%%.*}
  local ld="$GO_LDFLAGS"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  run go build -trimpath -ldflags "$ld" -o "$dir.tmp/" "${pkgs[@]}" || return 1
  run "$dir.tmp/kube-apiserver" --version || return 1
  run "$dir.tmp/kubelet" --version || return 1
  run "$dir.tmp/kubectl" version --client || return 1
  finish "$dir"
}

# wrapper_directives GOMOD: the exclude lines and the non-local replace lines of a dependency's
# go.mod, restated for a wrapper module (a dependency's own directives are ignored by Go).
wrapper_directives() {
  awk '
    /^(exclude|replace)[ \t]*\($/ { blk=$1; next }
    blk && /^\)/ { blk=""; next }
    blk { line=$0; sub(/^[ \t]+/, "", line); if (line == "" || line ~ /^\/\//) next
          if (blk == "replace" && line ~ /=>[ \t]*\.\.?\//) next
          print blk " " line; next }
    /^exclude[ \t]/ { print; next }
    /^replace[ \t]/ { if ($0 !~ /=>[ \t]*\.\.?\//) print; next }
  ' "$1"
}

# go_wrapper_build NAME MODULE VERSION OUTDIR PKG...: builds PKGs of MODULE@VERSION through a
# throwaway wrapper module (for modules whose go.mod has replace/exclude lines).
go_wrapper_build() {
  local name=$1 mod=$2 ver=$3 out=$4 gomod p
  shift 4
  wrapper "$name" || return 1
  gomod=$(mod_info "$mod@$ver" GoMod) || return 1
  [[ -f "$gomod" ]] || { FAILED_CMD="go mod download -json $mod@$ver (no go.mod)"; return 1; }
  { echo; wrapper_directives "$gomod"; } >>go.mod
  # seed go.sum with the module's own go.sum: the checksum database reachable here does not know
  # some dependencies (e.g. github.com/openbao/go-kms-wrapping/wrappers/*), and hashes already in
  # go.sum are checked without asking it.
  local src
  src=$(mod_info "$mod@$ver" Dir) || return 1
  [[ -f "$src/go.sum" ]] && cat "$src/go.sum" >>go.sum
  local tools=()
  for p in "$@"; do tools+=("$p@$ver"); done
  run go get -tool "${tools[@]}" || return 1
  run go build -trimpath -ldflags "$GO_LDFLAGS ${EXTRA_LDFLAGS:-}" -o "$out/" "$@" || return 1
}

# openbao: root module is package main; its go.mod has local replaces for api/sdk/auth modules,
# whose published versions it also requires, so the wrapper needs no replace of its own.
peer_openbao() {
  local dir=$PEERS_DIR/openbao-$OPENBAO_RELEASE
  entry bao "$(jstr "$dir/bao")"
  if cached "$dir" "$dir/bao"; then say "openbao $OPENBAO_RELEASE cached: $dir/bao"; return 0; fi
  need_go || return 1
  say "building openbao $OPENBAO_RELEASE ($OPENBAO_VERSION) (first run, ~10 min)..."
  stage "$dir"
  EXTRA_LDFLAGS="-X github.com/openbao/openbao/version.fullVersion=$OPENBAO_RELEASE -X github.com/openbao/openbao/version.GitCommit=${OPENBAO_VERSION##*-}" \
    go_wrapper_build "openbao-$OPENBAO_RELEASE" github.com/openbao/openbao "$OPENBAO_VERSION" "$dir.tmp" \
    github.com/openbao/openbao || return 1
  mv "$dir.tmp/openbao" "$dir.tmp/bao" || { FAILED_CMD="mv openbao bao"; return 1; }
  run "$dir.tmp/bao" version || return 1
  finish "$dir"
}

# consul: wrapper restating its exclude lines (github.com/hashicorp/go-msgpack v1.1.5/v1.1.6).
peer_consul() {
  local dir=$PEERS_DIR/consul-$CONSUL_VERSION
  entry consul "$(jstr "$dir/consul")"
  if cached "$dir" "$dir/consul"; then say "consul $CONSUL_VERSION cached: $dir/consul"; return 0; fi
  need_go || return 1
  say "building consul $CONSUL_VERSION (first run, ~7 min)..."
  stage "$dir"
  go_wrapper_build "consul-$CONSUL_VERSION" github.com/hashicorp/consul "$CONSUL_VERSION" "$dir.tmp" \
    github.com/hashicorp/consul || return 1
  run "$dir.tmp/consul" version || return 1
  finish "$dir"
}

peer_gcp_secret_manager_emulator() {
  local dir=$PEERS_DIR/gcp-secret-manager-emulator-$GCP_SM_EMULATOR_VERSION
  entry gcp-secret-manager-emulator "$(jstr "$dir/server-dual")"
  if cached "$dir" "$dir/server-dual"; then say "gcp-secret-manager-emulator $GCP_SM_EMULATOR_VERSION cached: $dir/server-dual"; return 0; fi
  need_go || return 1
  say "building gcp-secret-manager-emulator $GCP_SM_EMULATOR_VERSION (first run, ~1 min)..."
  stage "$dir"
  # a wrapper rather than `go install pkg@version`: go install also asks the proxy for the module's
  # version list (deprecation check), which the proxy reachable here refuses for this module.
  go_wrapper_build "gcp-secret-manager-emulator-$GCP_SM_EMULATOR_VERSION" \
    github.com/blackwell-systems/gcp-secret-manager-emulator "$GCP_SM_EMULATOR_VERSION" "$dir.tmp" \
    github.com/blackwell-systems/gcp-secret-manager-emulator/cmd/server-dual || return 1
  [[ -x "$dir.tmp/server-dual" ]] || { FAILED_CMD="go build .../cmd/server-dual (no binary)"; return 1; }
  finish "$dir"
}

peer_helm() {
  local dir=$PEERS_DIR/helm-$HELM_VERSION
  entry helm "$(jstr "$dir/helm")"
  if cached "$dir" "$dir/helm"; then say "helm $HELM_VERSION cached: $dir/helm"; return 0; fi
  need_go || return 1
  say "building helm $HELM_VERSION (first run, ~5 min)..."
  stage "$dir"
  EXTRA_LDFLAGS="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    go_wrapper_build "helm-$HELM_VERSION" helm.sh/helm/v3 "$HELM_VERSION" "$dir.tmp" helm.sh/helm/v3/cmd/helm || return 1
  run "$dir.tmp/helm" version --short || return 1
  finish "$dir"
}

# cert-manager CRDs: deploy/crds/*.yaml of the root module (plain CRD YAML, no templating).
peer_cert_manager_crds() {
  local dir=$PEERS_DIR/cert-manager-$CERT_MANAGER_VERSION
  entry cert-manager-crds "$(jstr "$dir/crds")"
  if cached "$dir" "$dir/crds"; then say "cert-manager CRDs $CERT_MANAGER_VERSION cached: $dir/crds"; return 0; fi
  need_go || return 1
  say "fetching cert-manager $CERT_MANAGER_VERSION CRDs..."
  stage "$dir"
  local src
  src=$(cd "$WORK_DIR" && mod_info "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" Dir) || return 1
  [[ -d "$src/deploy/crds" ]] || { FAILED_CMD="go mod download github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION (no deploy/crds)"; return 1; }
  mkdir -p "$dir.tmp/crds" && run cp "$src"/deploy/crds/*.yaml "$dir.tmp/crds/" || return 1
  chmod -R u+w "$dir.tmp/crds"
  finish "$dir"
}

# moto: PyPI moto[server] in its own venv.
peer_moto() {
  local dir=$PEERS_DIR/moto-$MOTO_VERSION py
  entry moto_server "$(jstr "$dir/venv/bin/moto_server")"
  # the venv's python must still run (a pyenv/python upgrade breaks a venv)
  if cached "$dir" "$dir/venv/bin/moto_server" && "$dir/venv/bin/python" -c 'import moto' 2>/dev/null; then
    say "moto $MOTO_VERSION cached: $dir/venv/bin/moto_server"
    return 0
  fi
  py=$(command -v python3) || { FAILED_CMD="python3 (not on PATH)"; return 1; }
  say "installing moto[server] $MOTO_VERSION into a venv (first run, ~2 min)..."
  # a venv is not relocatable, so it is built in place; .complete is written only at the end.
  rm -rf "$dir" && mkdir -p "$dir" || { FAILED_CMD="mkdir $dir"; return 1; }
  run "$py" -m venv "$dir/venv" || return 1
  run "$dir/venv/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" || return 1
  run "$dir/venv/bin/moto_server" --help || return 1
  mark_complete "$dir"
}

# lowkey-vault: runnable jar from Maven Central, fetched with the ordinary Maven client.
peer_lowkey_vault() {
  local dir=$PEERS_DIR/lowkey-vault-$LOWKEY_VAULT_VERSION java jar
  java=$(command -v java) || { FAILED_CMD="java (not on PATH)"; return 1; }
  jar=$dir/lowkey-vault-app-$LOWKEY_VAULT_VERSION.jar
  entry lowkey-vault "{\"java\": $(jstr "$java"), \"jar\": $(jstr "$jar")}"
  if cached "$dir" "$jar"; then say "lowkey-vault $LOWKEY_VAULT_VERSION cached: $jar"; return 0; fi
  command -v mvn >/dev/null || { FAILED_CMD="mvn (not on PATH)"; return 1; }
  say "fetching lowkey-vault-app $LOWKEY_VAULT_VERSION from Maven Central..."
  stage "$dir"
  run mvn -B -q -Dmaven.repo.local="$HOME/.cache/bulwark/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    "-Dartifact=com.github.nagyesta.lowkey-vault:lowkey-vault-app:$LOWKEY_VAULT_VERSION:jar" \
    "-DoutputDirectory=$dir.tmp" || return 1
  finish "$dir"
}

# promtool: Debian package prometheus. Its service is never started (policy-rc.d + no systemd here),
# and a prometheus daemon it may have spawned is stopped.
peer_promtool() {
  entry promtool "$(jstr /usr/bin/promtool)"
  if [[ -z "${BULWARK_PEERS_FORCE:-}" ]] && [[ -x /usr/bin/promtool ]]; then
    say "promtool cached: /usr/bin/promtool ($(/usr/bin/promtool --version 2>&1 | head -n1 | awk '{print $3}'))"
    return 0
  fi
  apt_install prometheus || return 1
  [[ -x /usr/bin/promtool ]] || { FAILED_CMD="apt-get install prometheus (no /usr/bin/promtool)"; return 1; }
  run /usr/bin/promtool --version
}

# postgresql: Debian's server, for OpenBao's database secrets engine (dynamic secrets with leases).
# The packaged cluster service is never started; tests run their own throw-away server.
peer_postgresql() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [[ -z "${BULWARK_PEERS_FORCE:-}" ]] && [[ -n "$bin" && -x "$bin/postgres" && -x "$bin/initdb" ]]; then
    entry postgresql "$(jstr "$bin")"
    say "postgresql cached: $bin"
    return 0
  fi
  apt_install postgresql || return 1
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -n "$bin" && -x "$bin/postgres" ]] || { FAILED_CMD="apt-get install postgresql (no /usr/lib/postgresql/*/bin/postgres)"; return 1; }
  entry postgresql "$(jstr "$bin")"
}

# node-runtime: containerd, runc, iptables and conntrack from Debian's packages, for the node
# tier's kubelet and kube-proxy. containerd 1.6 speaks CRI v1, which kubelet 1.34 requires.
# No daemon is started (policy-rc.d, no systemd); the node tier runs its own containerd.
peer_node_runtime() {
  local b missing=0
  for b in containerd containerd-shim-runc-v2 ctr runc iptables conntrack; do command -v "$b" >/dev/null || missing=1; done
  if [[ -z "${BULWARK_PEERS_FORCE:-}" ]] && ((!missing)); then
    say "node runtime cached: $(containerd --version | awk '{print $1, $3}'), $(runc --version | head -n1)"
  else
    apt_install containerd runc iptables conntrack || return 1
  fi
  for b in containerd ctr runc iptables; do
    command -v "$b" >/dev/null || { FAILED_CMD="apt-get install containerd runc iptables conntrack (no $b)"; return 1; }
  done
  entry containerd "$(jstr "$(command -v containerd)")"
  entry ctr "$(jstr "$(command -v ctr)")"
  entry runc "$(jstr "$(command -v runc)")"
}

# cni-plugins: bridge, host-local, loopback and portmap from github.com/containernetworking/plugins.
peer_cni_plugins() {
  local dir=$PEERS_DIR/cni-plugins-$CNI_PLUGINS_VERSION m=github.com/containernetworking/plugins
  local names=(bridge host-local loopback portmap) pkgs=(plugins/main/bridge plugins/ipam/host-local plugins/main/loopback plugins/meta/portmap)
  entry cni-bin-dir "$(jstr "$dir/bin")"
  if cached "$dir" "${names[@]/#/$dir/bin/}"; then say "CNI plugins $CNI_PLUGINS_VERSION cached: $dir/bin"; return 0; fi
  need_go || return 1
  say "building CNI plugins $CNI_PLUGINS_VERSION (first run, ~1 min)..."
  stage "$dir"
  go_wrapper_build "cni-plugins-$CNI_PLUGINS_VERSION" "$m" "$CNI_PLUGINS_VERSION" "$dir.tmp/bin" "${pkgs[@]/#/$m/}" || return 1
  local n
  for n in "${names[@]}"; do [[ -x "$dir.tmp/bin/$n" ]] || { FAILED_CMD="go build $m (no $n)"; return 1; }; done
  finish "$dir"
}

peer_hadolint() {
  local h
  if h=$(command -v hadolint); then entry hadolint "$(jstr "$h")"; say "hadolint cached: $h"; return 0; fi
  if apt-cache show hadolint >/dev/null 2>&1; then
    apt_install hadolint || return 1
    entry hadolint "$(jstr "$(command -v hadolint)")"
    return 0
  fi
  FAILED_CMD="apt-cache show hadolint (Debian has no hadolint package)"
  return 1
}

# apt_install PKG...: non-interactive, no recommends, services never started.
apt_install() {
  local sudo="" policy=/usr/sbin/policy-rc.d added=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { FAILED_CMD="apt-get install $* (needs root)"; return 1; }
    sudo="sudo -n"
  fi
  say "apt-get install $* ..."
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added=1
  fi
  if ! apt-cache show "$1" >/dev/null 2>&1; then
    run $sudo apt-get update -qq || { [[ -n $added ]] && $sudo rm -f "$policy"; return 1; }
  fi
  local rc=0 before
  before=" $(pgrep -x prometheus 2>/dev/null | tr '\n' ' ') "
  run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" || rc=1
  [[ -n $added ]] && $sudo rm -f "$policy"
  # never leave a daemon that this install started running (no systemd here, but be safe).
  local pid
  for pid in $(pgrep -x prometheus 2>/dev/null); do
    [[ "$before" == *" $pid "* ]] && continue
    [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == /usr/bin/prometheus ]] && $sudo kill "$pid"
  done
  return $rc
}

# ---------------------------------------------------------------------------------------------
install_peer() {
  local name=$1 t0 rc
  t0=$(date +%s)
  FAILED_CMD=""
  CUR_LOG=$LOG_DIR/$name.log
  # each peer runs in a subshell so cd/exports stay local; FAILED_CMD comes back via a file.
  (
    set +e
    # concurrent runs of this script (several engineers, CI) wait for each other per peer.
    exec 9>"$PEERS_DIR/.lock-$name"
    if command -v flock >/dev/null && ! flock -n 9; then
      say "$name: another install.sh is installing it, waiting for it..."
      flock 9
    fi
    printf '=== %s install.sh %s\n' "$(date -u +%FT%TZ)" "$name" >>"$CUR_LOG"
    "peer_${name//-/_}"
    rc=$?
    [[ $rc -ne 0 && -n "$STAGED" ]] && rm -rf "$STAGED"
    [[ $rc -ne 0 ]] && printf '%s' "${FAILED_CMD:-peer_${name//-/_}}" >"$LOG_DIR/$name.failed"
    exit $rc
  )
  rc=$?
  if [[ $rc -eq 0 ]]; then
    rm -f "$LOG_DIR/$name.failed"
    local s=$(($(date +%s) - t0))
    ((s > 5)) && say "$name done in $(elapsed "$t0")"
    return 0
  fi
  local cmd
  cmd=$(cat "$LOG_DIR/$name.failed" 2>/dev/null)
  drop_entries "$name"
  local msg="peer '$name' could not be installed: command failed: $cmd (log: $CUR_LOG)"
  if $IN_CI && [[ "$OPTIONAL_PEERS" != *" $name "* ]]; then
    echo "ERROR: $msg" >&2
    tail -n 30 "$CUR_LOG" >&2
    write_peers_json
    exit 1
  fi
  [[ "$OPTIONAL_PEERS" == *" $name "* ]] && msg="optional $msg"
  warn "$msg"
  return 1
}

# entries written by a peer, removed again when it failed.
drop_entries() {
  case $1 in
    kubernetes) for b in "${KUBE_BINARIES[@]}"; do rm -f "$ENTRIES_DIR/$b.json"; done ;;
    moto) rm -f "$ENTRIES_DIR/moto_server.json" ;;
    node-runtime) rm -f "$ENTRIES_DIR/containerd.json" "$ENTRIES_DIR/ctr.json" "$ENTRIES_DIR/runc.json" ;;
    cni-plugins) rm -f "$ENTRIES_DIR/cni-bin-dir.json" ;;
    gcp-secret-manager-emulator) rm -f "$ENTRIES_DIR/gcp-secret-manager-emulator.json" ;;
    openbao) rm -f "$ENTRIES_DIR/bao.json" ;;
    *) rm -f "$ENTRIES_DIR/$1.json" ;;
  esac
}

write_peers_json() {
  local out=$PEERS_DIR/peers.json f first=1
  {
    echo "{"
    for f in "$ENTRIES_DIR"/*.json; do
      [[ -e "$f" ]] || continue
      ((first)) || echo ","
      first=0
      printf '  %s: %s' "$(jstr "$(basename "$f" .json)")" "$(cat "$f")"
    done
    echo
    echo "}"
  } >"$out.tmp" && mv "$out.tmp" "$out"
  say "wrote $out"
}

main() {
  local peers=() p failed=()
  if [[ "${1:-}" == "--list" ]]; then printf '%s\n' "${ALL_PEERS[@]}"; return 0; fi
  if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    return 0
  fi
  for p in "$@"; do
    case $p in
      kube-apiserver | kubectl | kubelet | k8s) p=kubernetes ;;
      moto_server | moto-server) p=moto ;;
      bao | vault) p=openbao ;;
      gcp | gcp-emulator | server-dual) p=gcp-secret-manager-emulator ;;
      cert-manager) p=cert-manager-crds ;;
      prometheus) p=promtool ;;
      containerd | runc) p=node-runtime ;;
      cni) p=cni-plugins ;;
    esac
    if [[ " ${ALL_PEERS[*]} " != *" $p "* ]]; then
      echo "install.sh: unknown peer '$p' (known: ${ALL_PEERS[*]})" >&2
      return 2
    fi
    peers+=("$p")
  done
  ((${#peers[@]})) || peers=("${ALL_PEERS[@]}")
  say "peers dir: $PEERS_DIR (go caches: $GO_DIR)"
  for p in "${peers[@]}"; do
    install_peer "$p" || failed+=("$p")
  done
  write_peers_json
  if ((${#failed[@]})); then
    warn "not installed: ${failed[*]} (see $LOG_DIR/<peer>.log)"
  fi
  return 0
}

main "$@"; exit $?  # one line: edits to this file never affect a running install
