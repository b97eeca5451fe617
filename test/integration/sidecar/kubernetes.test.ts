import assert from 'node:assert/strict';
import { findControlPlanePeers } from '../../e2e/harness/peers.js';
import { startCluster, type TestCluster } from '../../e2e/harness/cluster.js';
import { createKubernetesProvider } from '../../../sidecar/providers/kubernetes.js';
import { restartOwner, RESTARTED_AT } from '../../../sidecar/reload/restart.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { Provider } from '../../../sidecar/providers/types.js';
import { waitFor } from '../../sample-app/control.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerBinary, startBao } from './peers.js';
import { createVaultProvider } from '../../../sidecar/providers/vault.js';
import { getEventListeners } from 'node:events';
import { selectKey } from '../../../sidecar/core/select-key.js';
import { renderFile } from '../../../sidecar/render/render-file.js';

const NS = 'team-a';
const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example/app:1' }] } } },
});

describe('sidecar against a real kube-apiserver (kubernetes provider, restart reload)', function () {
  this.timeout(180000);
  let cluster: TestCluster | undefined;
  let provider: Provider;
  const savedKubeconfig = process.env.KUBECONFIG;

  before(async function () {
    const lookup = findControlPlanePeers();
    if (!lookup.ok) {
      const msg = `peers ${lookup.missing.join(', ')} are not installed; run \`bash test/peers/install.sh kubernetes etcd\``;
      if (process.env.CI === 'true') throw new Error(msg);
      console.log(`      (skipped: ${msg})`);
      this.skip();
    }
    cluster = await startCluster(lookup.peers);
    process.env.KUBECONFIG = cluster.kubeconfig;
    const k = cluster.kubectl;
    await k.ok(['create', 'namespace', NS]);
    await k.ok(['-n', NS, 'create', 'secret', 'generic', 'db', '--from-literal=password=s3cret', '--from-literal=user=app']);
    await k.ok(['-n', NS, 'create', 'configmap', 'settings', '--from-literal=app.yaml=greeting: hello']);
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(deployment('web')) });
    provider = await createKubernetesProvider({ storeName: 'k8s', store: { provider: 'kubernetes' }, namespace: NS });
  });
  after(async () => {
    await provider?.close?.();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    await cluster?.stop();
  });

  it('reads a Secret decoded (as bytes), with its resourceVersion', async () => {
    const got = await provider.read({ store: 'k8s', path: 'secret/db' });
    assert.deepEqual(got.value, { password: Buffer.from('s3cret'), user: Buffer.from('app') });
    assert.match(got.version, /^\d+$/);
  });

  it('reads a ConfigMap and maps a missing object to NOT_FOUND', async () => {
    assert.deepEqual((await provider.read({ store: 'k8s', path: 'configmap/settings' })).value, { 'app.yaml': 'greeting: hello' });
    await assert.rejects(provider.read({ store: 'k8s', path: 'secret/none' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('watches a Secret through the API and reports a change', async () => {
    let changes = 0;
    const abort = new AbortController();
    provider.watch!({ store: 'k8s', path: 'secret/db' }, () => changes++, abort.signal);
    try {
      await waitFor(() => changes >= 1, 10000, 'the initial watch event');
      const before = changes;
      await cluster!.kubectl.ok(['-n', NS, 'patch', 'secret', 'db', '-p', JSON.stringify({ stringData: { password: 'rotated' } })]);
      await waitFor(() => changes > before, 10000, 'a MODIFIED event');
      assert.equal(String(((await provider.read({ store: 'k8s', path: 'secret/db' })).value as Record<string, unknown>).password), 'rotated');
    } finally {
      abort.abort();
    }
  });

  it('keeps binary Secret data and ConfigMap binaryData byte for byte (a #key into a raw file)', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28, 0x0a]);
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-k8sbin-'));
    try {
      await writeFile(join(dir, 'keystore.p12'), bytes);
      await cluster!.kubectl.ok(['-n', NS, 'create', 'secret', 'generic', 'bin', `--from-file=keystore.p12=${join(dir, 'keystore.p12')}`]);
      await cluster!.kubectl.ok(['-n', NS, 'create', 'configmap', 'bin', `--from-file=blob=${join(dir, 'keystore.p12')}`, '--from-literal=text=plain']);
      const raw = (key: string) => ({ name: 'out', kind: 'secret' as const, sources: [{ store: 'k8s', path: 'x', key }], format: 'raw' as const, mode: 0o400 });
      for (const [path, key] of [['secret/bin', 'keystore.p12'], ['configmap/bin', 'blob']] as const) {
        const got = await provider.read({ store: 'k8s', path });
        const picked = selectKey(got.value, key, { store: 'k8s', path });
        assert.ok(renderFile(raw(key), [{ ref: { store: 'k8s', path, key }, value: picked }]).equals(bytes), `${path}#${key} changed`);
      }
      assert.equal(((await provider.read({ store: 'k8s', path: 'configmap/bin' })).value as Record<string, unknown>).text, 'plain');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reconnects a watch the apiserver ends (timeoutSeconds) at once, with a single abort listener', async () => {
    const short = await createKubernetesProvider({ storeName: 'k8s', store: { provider: 'kubernetes' }, namespace: NS }, 1);
    const abort = new AbortController();
    let changes = 0;
    short.watch!({ store: 'k8s', path: 'secret/db' }, () => changes++, abort.signal);
    try {
      await new Promise((r) => setTimeout(r, 4500));
      // Each reconnect replays ADDED: about one per second means no backoff after a normal end.
      assert.ok(changes >= 3, `${changes} watch (re)connects in 4.5 s`);
      assert.ok(getEventListeners(abort.signal, 'abort').length <= 1, `${getEventListeners(abort.signal, 'abort').length} abort listeners`);
    } finally {
      abort.abort();
    }
  });

  it('restarts the owning Deployment the way kubectl rollout restart does', async () => {
    const now = new Date('2026-05-06T07:08:09Z');
    assert.equal(await restartOwner(NS, { kind: 'Deployment', name: 'web' }, now), 'Deployment/web');
    const out = await cluster!.kubectl.ok(['-n', NS, 'get', 'deployment', 'web', '-o', 'json']);
    const dep = JSON.parse(out) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
    assert.equal(dep.spec.template.metadata.annotations?.[RESTARTED_AT], now.toISOString());
  });

  it('replicas patching the same content id restart the Deployment once (the second patch changes nothing)', async () => {
    const generation = async () => (JSON.parse(await cluster!.kubectl.ok(['-n', NS, 'get', 'deployment', 'web', '-o', 'json'])) as { metadata: { generation: number } }).metadata.generation;
    const start = await generation();
    for (let replica = 0; replica < 3; replica++) await restartOwner(NS, { kind: 'Deployment', name: 'web' }, '0123456789abcdef');
    assert.equal(await generation(), start + 1);
  });

  it('follows a ReplicaSet owner up to its Deployment, and refuses other kinds', async () => {
    const dep = JSON.parse(await cluster!.kubectl.ok(['-n', NS, 'get', 'deployment', 'web', '-o', 'json'])) as { metadata: { uid: string } };
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-abc', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid }] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: deployment('web').spec.template },
    };
    await cluster!.kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(rs) });
    assert.equal(await restartOwner(NS, { kind: 'ReplicaSet', name: 'web-abc' }), 'Deployment/web');
    await assert.rejects(restartOwner(NS, { kind: 'Job', name: 'x' }), (e: unknown) => isSidecarError(e, 'RELOAD_FAILED'));
    await assert.rejects(restartOwner(NS, { kind: 'Deployment', name: 'missing' }), /patching Deployment team-a\/missing failed/);
  });

  it('logs in to OpenBao with Kubernetes auth using a service-account token the apiserver reviews', async function () {
    const bin = peerBinary('openbao');
    if (!bin) {
      if (process.env.CI === 'true') throw new Error('peer openbao is not installed; run `bash test/peers/install.sh openbao`');
      this.skip();
    }
    const k = cluster!.kubectl;
    await k.ok(['-n', NS, 'create', 'serviceaccount', 'reviewer']);
    await k.ok(['-n', NS, 'create', 'serviceaccount', 'app']);
    await k.ok(['create', 'clusterrolebinding', 'bao-reviewer', '--clusterrole=system:auth-delegator', `--serviceaccount=${NS}:reviewer`]);
    const reviewerJwt = (await k.ok(['-n', NS, 'create', 'token', 'reviewer'])).trim();
    const appJwt = (await k.ok(['-n', NS, 'create', 'token', 'app'])).trim();
    const bao = await startBao(bin);
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-k8sauth-'));
    try {
      const api = async (method: string, path: string, body: unknown) => {
        const res = await fetch(`${bao.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': 'root' }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      };
      await api('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
      await api('POST', 'auth/kubernetes/config', { kubernetes_host: cluster!.apiserverUrl, kubernetes_ca_cert: cluster!.pki?.caPem, token_reviewer_jwt: reviewerJwt });
      await api('PUT', 'sys/policies/acl/team-a', { policy: 'path "secret/data/team-a/*" { capabilities = ["read"] }' });
      await api('POST', 'auth/kubernetes/role/app', { bound_service_account_names: ['app'], bound_service_account_namespaces: [NS], token_policies: ['team-a'], token_ttl: '1h' });
      await api('POST', 'secret/data/team-a/db', { data: { password: 'via-k8s-auth' } });
      await writeFile(join(dir, 'sa-token'), appJwt);
      const store = { provider: 'vault' as const, address: bao.url, auth: { method: 'kubernetes' as const, role: 'app', tokenFile: join(dir, 'sa-token') } };
      const p = createVaultProvider({ storeName: 'v', store, namespace: NS });
      assert.deepEqual((await p.read({ store: 'v', path: 'secret/team-a/db' })).value, { password: 'via-k8s-auth' });
      const wrongRole = createVaultProvider({ storeName: 'v', store: { ...store, auth: { ...store.auth, role: 'nope' } }, namespace: NS });
      await assert.rejects(wrongRole.read({ store: 'v', path: 'secret/team-a/db' }), (e: unknown) => isSidecarError(e, 'DENIED') || isSidecarError(e, 'BAD_RESPONSE'));
    } finally {
      await bao.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
