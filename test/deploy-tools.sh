#!/usr/bin/env bash
# Installs the tools the deployment tests need, if missing:
#   helm, promtool, cert-manager's CRDs   via test/peers/install.sh (pinned in test/peers/versions.env)
#   prometheus-operator's CRDs            from its Go module (ServiceMonitor, PodMonitor, PrometheusRule)
# and records the CRD directory in ${BULWARK_PEERS_DIR}/deploy-tools.json.
#
# Usage: bash test/deploy-tools.sh          (idempotent; cached tools print one line each)
# With CI=true a tool that cannot be installed fails the script; otherwise it warns.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS_DIR=${BULWARK_PEERS_DIR:-$HOME/.cache/bulwark/peers}
GO_DIR=${BULWARK_GO_DIR:-$HOME/.cache/bulwark/go}
# prometheus-operator release whose example/prometheus-operator-crd/*.yaml are installed.
PROMETHEUS_OPERATOR_VERSION=v0.85.0

IN_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IN_CI=true
fail() {
  if $IN_CI; then echo "ERROR: $*" >&2; exit 1; fi
  echo "WARN: $*" >&2
}

bash "$HERE/peers/install.sh" helm promtool cert-manager-crds || fail "test/peers/install.sh helm promtool cert-manager-crds failed"

dir=$PEERS_DIR/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION/crds
if [[ -f "$dir/.complete" ]]; then
  echo "==> prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION cached: $dir"
elif ! command -v go >/dev/null; then
  fail "go is not on PATH: cannot fetch prometheus-operator CRDs (ServiceMonitor/PodMonitor/PrometheusRule dry-runs will be skipped)"
else
  echo "==> fetching prometheus-operator $PROMETHEUS_OPERATOR_VERSION CRDs (Go module)..."
  work=$(mktemp -d)
  src=$(cd "$work" && GOMODCACHE=$GO_DIR/mod GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)
  rm -rf "$work"
  if [[ -n "$src" && -d "$src/example/prometheus-operator-crd" ]]; then
    rm -rf "$dir" && mkdir -p "$dir" &&
      cp "$src"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,podmonitors,prometheusrules}.yaml "$dir/" &&
      chmod -R u+w "$dir" && date -u +%FT%TZ >"$dir/.complete"
  else
    fail "go mod download github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION gave no example/prometheus-operator-crd"
  fi
fi
if [[ -f "$dir/.complete" ]]; then
  printf '{\n  "prometheus-operator-crds": "%s"\n}\n' "$dir" >"$PEERS_DIR/deploy-tools.json"
  echo "==> wrote $PEERS_DIR/deploy-tools.json"
fi
exit 0
