#!/usr/bin/env bash
# End-to-end tier: real etcd + kube-apiserver (+ kubectl) as local processes, deploy/base applied,
# the webhook as a local process. Called by `npm test` (script test:e2e) after the build.
#
#   bash test/e2e/run.sh [mocha args...]     e.g. --grep injection
#
# Peers come from test/peers/install.sh (cached under ~/.cache/bulwark/peers; the first build of
# kube-apiserver takes ~20 min on 2 cores, later runs take seconds). When a peer is missing:
# with CI=true the run fails; otherwise the tier is skipped with instructions.
# BULWARK_E2E_KEEP=1 keeps the cluster's temp dir (logs of etcd, kube-apiserver, webhook).
# BULWARK_E2E_SKIP_INSTALL=1 does not call the installer (use what peers.json lists).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
IN_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IN_CI=true

if [[ -z "${BULWARK_E2E_SKIP_INSTALL:-}" ]]; then
  # idempotent: prints one line per cached peer; with CI=true it exits non-zero on failure
  bash test/peers/install.sh kubernetes etcd
fi

PEERS_JSON=${BULWARK_PEERS_DIR:-$HOME/.cache/bulwark/peers}/peers.json
missing=()
for peer in etcd kube-apiserver kubectl; do
  path=$(sed -n "s/^[[:space:]]*\"$peer\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$PEERS_JSON" 2>/dev/null | head -n1 || true)
  [[ -n "$path" && -x "$path" ]] || missing+=("$peer")
done
if ((${#missing[@]})); then
  msg="e2e: missing test peers: ${missing[*]}. Install them with: bash test/peers/install.sh kubernetes etcd"
  if $IN_CI; then
    echo "ERROR: $msg" >&2
    exit 1
  fi
  echo "SKIP: $msg" >&2
  exit 0
fi

if [[ ! -f dist/test/e2e/hooks.js ]]; then
  echo "e2e: dist/test/e2e is missing; run 'npm run build' first" >&2
  exit 1
fi

start=$(date +%s)
status=0
npx mocha --config test/e2e/.mocharc.json "$@" || status=$?
echo "e2e: finished in $(($(date +%s) - start))s (exit $status)"
exit $status
