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

export GOMODCACHE=$GO_DIR/mod
export GOCACHE=$GO_DIR/build
export GOTOOLCHAIN=local
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
export GOWORK=off
GO_LDFLAGS='-s -w'

IN_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IN_CI=true

ALL_PEERS=(etcd kubernetes moto promtool hadolint lowkey-vault gcp-secret-manager-emulator openbao consul helm cert-manager-crds)
# Peers that may legitimately be unavailable; their failure never fails CI.
OPTIONAL_PEERS=" hadolint "

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

# cached DIR: true when DIR was completed by an earlier run (and FORCE is not set).
cached() { [[ -z "${BULWARK_PEERS_FORCE:-}" && -f "$1/.complete" ]]; }
mark_complete() { date -u +%FT%TZ >"$1/.complete"; }

# staging DIR: a fresh staging dir next to DIR, moved into place by finish DIR.
stage() { rm -rf "$1.tmp" && mkdir -p "$1.tmp"; }
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
  if cached "$dir"; then say "etcd $ETCD_VERSION cached: $dir/etcd"; return 0; fi
  need_go || return 1
  say "building etcd $ETCD_VERSION (first run, ~3 min)..."
  stage "$dir"
  wrapper "etcd-$ETCD_VERSION" || return 1
  run go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" || return 1
  run go build -trimpath -ldflags "$GO_LDFLAGS" -o "$dir.tmp/etcd" go.etcd.io/etcd/server/v3 || return 1
  run "$dir.tmp/etcd" --version || return 1
  finish "$dir"
}

# kubernetes: kube-apiserver + kubectl from k8s.io/kubernetes. The root go.mod points every
# staging module at ./staging/...; the wrapper replaces each with its published v0.<minor>.<patch>.
peer_kubernetes() {
  local v=$KUBERNETES_VERSION dir=$PEERS_DIR/kubernetes-$KUBERNETES_VERSION
  entry kube-apiserver "$(jstr "$dir/kube-apiserver")"
  entry kubectl "$(jstr "$dir/kubectl")"
  if cached "$dir"; then say "kube-apiserver/kubectl $v cached: $dir"; return 0; fi
  need_go || return 1
  say "building kube-apiserver + kubectl $v (first run, ~15-20 min on 2 cores)..."
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
  run go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$v" "k8s.io/kubernetes/cmd/kubectl@$v" || return 1
  major=1 minor=${v#v1.} minor=${minor%%.*}
  local ld="$GO_LDFLAGS"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  run go build -trimpath -ldflags "$ld" -o "$dir.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl || return 1
  run "$dir.tmp/kube-apiserver" --version || return 1
  run "$dir.tmp/kubectl" version --client || return 1
  finish "$dir"
}

# ---------------------------------------------------------------------------------------------
install_peer() {
  local name=$1 t0 rc
  t0=$(date +%s)
  FAILED_CMD=""
  CUR_LOG=$LOG_DIR/$name.log
  : >"$CUR_LOG"
  # each peer runs in a subshell so cd/exports stay local; FAILED_CMD comes back via a file.
  (
    set +e
    "peer_${name//-/_}"
    rc=$?
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
  warn "$msg"
  return 1
}

# entries written by a peer, removed again when it failed.
drop_entries() {
  case $1 in
    kubernetes) rm -f "$ENTRIES_DIR/kube-apiserver.json" "$ENTRIES_DIR/kubectl.json" ;;
    moto) rm -f "$ENTRIES_DIR/moto_server.json" ;;
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
      kube-apiserver | kubectl | k8s) p=kubernetes ;;
      moto_server | moto-server) p=moto ;;
      bao | vault) p=openbao ;;
      gcp | gcp-emulator | server-dual) p=gcp-secret-manager-emulator ;;
      cert-manager) p=cert-manager-crds ;;
      prometheus) p=promtool ;;
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

main "$@"
