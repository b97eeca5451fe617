#!/usr/bin/env bash
# Node tier: a cluster whose pods really run — etcd, kube-apiserver (ServiceAccount plugin on),
# kube-controller-manager, kube-scheduler, containerd + runc, the CNI bridge, kube-proxy and a
# kubelet as local processes — with Bulwark installed from deploy/base using images built offline
# from this checkout. Called by `npm test` (script test:node) after the e2e tier. Needs root.
#
#   bash test/node/run.sh [mocha args...]     e.g. --grep vault
#
# Peers come from test/peers/install.sh. When one is missing: with CI=true the run fails;
# otherwise the tier is skipped with instructions. BULWARK_E2E_KEEP=1 keeps the cluster's temp
# dir (logs of every process). BULWARK_E2E_SKIP_INSTALL=1 does not call the installer.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
if [[ -z "${BULWARK_E2E_SKIP_INSTALL:-}" ]]; then
  bash test/peers/install.sh etcd kubernetes node-runtime cni-plugins openbao
fi
if [[ ! -f dist/test/node/hooks.js ]]; then
  echo "node tier: dist/test/node is missing; run 'npm run build' first" >&2
  exit 1
fi
start=$(date +%s)
status=0
npx mocha --config test/node/.mocharc.json "$@" || status=$?
echo "node tier: finished in $(($(date +%s) - start))s (exit $status)"
exit $status
