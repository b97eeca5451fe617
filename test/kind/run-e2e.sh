#!/usr/bin/env bash
# Runs the end-to-end suite (test/e2e) against a kind cluster with the built images, for machines
# with Docker. Not run in CI here (no Docker engine); see docs/e2e.md.
#
#   bash test/kind/run-e2e.sh [mocha args...]
#
# Steps: build both images, create (or reuse) the kind cluster, load the images, generate the
# webhook's serving certificate with `bulwark certs` into Secret bulwark-webhook-tls, install
# deploy/base with the e2e image tags and the caBundle, add the e2e audit policy as a custom
# resource, wait for the webhook Deployment, then run mocha with BULWARK_E2E_KUBECONFIG set (the
# harness then uses this cluster and stops/starts the webhook by scaling its Deployment).
#
# Environment: KIND_CLUSTER (default bulwark-e2e), KEEP_CLUSTER=1 (do not delete it afterwards),
# IMAGE_TAG (default e2e), KIND_NODE_IMAGE (e.g. kindest/node:v1.34.0).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CLUSTER=${KIND_CLUSTER:-bulwark-e2e}
TAG=${IMAGE_TAG:-e2e}
WEBHOOK_IMAGE=ghcr.io/bulwark-dev/bulwark-webhook:$TAG
SIDECAR_IMAGE=ghcr.io/bulwark-dev/bulwark-sidecar:$TAG

for tool in docker kind kubectl node npx; do
  command -v "$tool" >/dev/null || { echo "run-e2e.sh: '$tool' is required on PATH" >&2; exit 2; }
done
docker info >/dev/null 2>&1 || { echo "run-e2e.sh: the Docker engine is not reachable" >&2; exit 2; }

WORK=$(mktemp -d -t bulwark-kind-XXXXXX)
cleanup() {
  rm -rf "$WORK"
  if [[ -z "${KEEP_CLUSTER:-}" && -n "${CREATED:-}" ]]; then kind delete cluster --name "$CLUSTER" || true; fi
}
trap cleanup EXIT

echo "==> building images ($TAG)"
docker build -q -f Dockerfile.webhook -t "$WEBHOOK_IMAGE" .
docker build -q -f Dockerfile.sidecar -t "$SIDECAR_IMAGE" .

if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "==> creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --wait 180s ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
  CREATED=1
fi
kind load docker-image --name "$CLUSTER" "$WEBHOOK_IMAGE" "$SIDECAR_IMAGE"
export KUBECONFIG=$WORK/kubeconfig
kind get kubeconfig --name "$CLUSTER" >"$KUBECONFIG"

echo "==> building the TypeScript (CLI for certificates, test suite)"
npm run build --silent

echo "==> certificate for bulwark-webhook.bulwark-system.svc"
node dist/webhook/cli.js certs --out "$WORK/tls" --hosts bulwark-webhook.bulwark-system.svc,bulwark-webhook.bulwark-system.svc.cluster.local
CA_BUNDLE=$(base64 <"$WORK/tls/ca.crt" | tr -d '\n')

echo "==> installing deploy/base"
mkdir -p "$WORK/overlay"
cat >"$WORK/overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $ROOT/deploy/base
images:
  - name: ghcr.io/bulwark-dev/bulwark-webhook
    newTag: "$TAG"
patches:
  - target: {kind: Deployment, name: bulwark-webhook}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --sidecar-image=$SIDECAR_IMAGE
YAML
for w in 0 1; do
  cat >>"$WORK/overlay/kustomization.yaml" <<YAML
  - target: {kind: MutatingWebhookConfiguration, name: bulwark-inject}
    patch: '[{"op": "add", "path": "/webhooks/$w/clientConfig/caBundle", "value": "$CA_BUNDLE"}]'
YAML
done
for w in 0 1 2; do
  cat >>"$WORK/overlay/kustomization.yaml" <<YAML
  - target: {kind: ValidatingWebhookConfiguration, name: bulwark-validate}
    patch: '[{"op": "add", "path": "/webhooks/$w/clientConfig/caBundle", "value": "$CA_BUNDLE"}]'
YAML
done
kubectl kustomize "$WORK/overlay" >"$WORK/base.yaml"
# the namespace and the TLS Secret first, then everything else (CRDs included).
kubectl create namespace bulwark-system --dry-run=client -o yaml | kubectl apply -f -
kubectl -n bulwark-system create secret tls bulwark-webhook-tls --cert="$WORK/tls/tls.crt" --key="$WORK/tls/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$WORK/base.yaml"
kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=bulwark
kubectl -n bulwark-system apply -f test/e2e/fixtures/policies/
kubectl -n bulwark-system rollout status deployment/bulwark-webhook --timeout=180s

echo "==> running the e2e suite against kind"
status=0
BULWARK_E2E_KUBECONFIG=$KUBECONFIG npx mocha --config test/e2e/.mocharc.json "$@" || status=$?
exit $status
