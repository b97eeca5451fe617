/**
 * Node tier, Vault/OpenBao from a real pod: the example ClusterSecretStore of policies/stores as
 * shipped (only its address changed), Kubernetes auth with the pod's own ServiceAccount token, the
 * role `bulwark-{tenant}` expanded per pod, the CA from the vault-ca ConfigMap mounted through the
 * store's volumes; then a store outage: the app keeps the last good content, the sidecar reports
 * it stale, and recovers once the store is back.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { parse } from 'yaml';
import { waitFor } from '../e2e/harness/net.js';
import { repoPath } from '../e2e/harness/paths.js';
import { inCI } from '../e2e/harness/env.js';
import { nodeCluster } from './harness/env.js';
import { configureKubernetesAuth, startNodeBao, type NodeBao } from './harness/openbao.js';
import { applyWhenAdmitted, getJson, sampleDeployment, userNamespace, waitReadyPods } from './harness/workloads.js';

const NS = 'shop-vault';
const TENANT = 'shop';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** GET the sidecar's /healthz on the pod IP (HTTPS with the sidecar's own certificate). */
function sidecarHealth(ip: string): Promise<any> {
  return sidecarGet(ip, '/healthz');
}

/** GET a path of the sidecar's HTTPS endpoint on the pod IP: JSON fields, or {text}. */
function sidecarGet(ip: string, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.get(`https://${ip}:9090${path}`, { rejectUnauthorized: false, timeout: 5000, agent: false }, (res) => {
      let t = '';
      res.on('data', (c: Buffer) => (t += c.toString('utf8')));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, ...JSON.parse(t) });
        } catch {
          resolve({ status: res.statusCode, text: t });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

describe('node: OpenBao with Kubernetes auth from a pod', function () {
  let bao: NodeBao;
  const password = randomBytes(12).toString('hex');

  async function seed(): Promise<void> {
    const c = nodeCluster();
    await configureKubernetesAuth(bao, c.kubectl, { apiserver: c.apiserverUrl.replace('127.0.0.1', c.nodeIp), caPem: c.pki.caPem, tenant: TENANT, namespaces: [NS] });
    await bao.api('POST', `secret/data/${TENANT}/db`, { data: { password } });
  }

  before(async function () {
    const c = nodeCluster();
    if (!c.peers.bao) {
      if (inCI()) throw new Error('OpenBao is missing: bash test/peers/install.sh openbao');
      this.skip();
    }
    bao = await startNodeBao(c.peers.bao, c.dir, c.nodeIp);
    await seed();
    await userNamespace(c.kubectl, NS, { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': TENANT });
    await c.kubectl.ok(['-n', NS, 'create', 'configmap', 'vault-ca', `--from-literal=vault-ca.crt=${bao.caPem}`]);
    const store = parse(await readFile(repoPath('policies/stores/cluster-secret-store.yaml'), 'utf8'));
    store.spec.address = bao.podUrl;
    await c.kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(store) });
  });

  after(async function () {
    await bao?.kill();
  });

  it('the example ClusterSecretStore works as shipped: the pod logs in with its own token and reads its tenant path', async function () {
    const { kubectl } = nodeCluster();
    const dep = sampleDeployment(NS, 'web', {
      'bulwark.dev/inject': 'true',
      'bulwark.dev/secret.db-password': `vault:secret/data/${TENANT}/db#password`,
      'bulwark.dev/mode.db-password': '0440',
      'bulwark.dev/refresh': '5s',
    });
    ((dep.spec as any).template.spec.containers[0].args as string[]).splice(0, 2, '--config', '/bulwark/db-password');
    await applyWhenAdmitted(kubectl, dep);
    const [pod] = await waitReadyPods(kubectl, NS, 'app=web');
    const files = await getJson(`http://${pod!.ip}:8080/files`);
    assert.equal(files.body['db-password']?.sha256, sha(password), `the value from OpenBao reached the app (${JSON.stringify(files.body)})`);
    const spec = JSON.parse(pod!.raw.spec.initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC').value);
    const vault = Object.values(spec.stores as Record<string, any>).find((s) => s.provider === 'vault');
    assert.equal(vault.auth.role, `bulwark-${TENANT}`, 'the role was expanded for the pod');
    assert.ok(!JSON.stringify(spec).includes(password), 'no secret value in the spec');
  });

  it('during a store outage the app keeps the last good content and the sidecar reports it stale; it recovers when the store is back', async function () {
    const { kubectl } = nodeCluster();
    const [pod] = await waitReadyPods(kubectl, NS, 'app=web');
    await bao.kill();
    const stale = await waitFor(
      'the sidecar to report db-password stale',
      async () => {
        const h = await sidecarHealth(pod!.ip);
        const s = h.files?.['db-password']?.stalenessSeconds;
        if (typeof s === 'number' && s >= 10) return h;
        throw new Error(`healthz: ${JSON.stringify(h)}`);
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    assert.ok(stale.files['db-password'].version, 'a version is still served');
    const during = await getJson(`http://${pod!.ip}:8080/files`);
    assert.equal(during.body['db-password'].sha256, sha(password), 'the last good content stays in place');
    const logs = await kubectl.ok(['-n', NS, 'logs', pod!.name, '-c', 'bulwark-sidecar']);
    assert.match(logs, /keeping last good content/);
    assert.ok(!logs.includes(password), 'no secret value in the sidecar log');
    const metrics = await sidecarGet(pod!.ip, '/metrics');
    const m = /^bulwark_sidecar_staleness_seconds\{file="db-password"\} (\S+)$/m.exec(metrics.text ?? '');
    assert.ok(m && Number(m[1]) >= 10, `staleness in the sidecar's metrics: ${m?.[0]}`);
    const [still] = await waitReadyPods(kubectl, NS, 'app=web');
    assert.equal(still!.uid, pod!.uid, 'the pod was not restarted by the outage');
    // a fresh OpenBao (dev mode keeps nothing): configured again, the sidecar logs in again
    await bao.start();
    await seed();
    await waitFor(
      'the sidecar to recover',
      async () => {
        const h = await sidecarHealth(pod!.ip);
        const s = h.files?.['db-password']?.stalenessSeconds;
        if (typeof s === 'number' && s < 10) return true;
        throw new Error(`healthz: ${JSON.stringify(h)}`);
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    // and the next change arrives
    const next = randomBytes(12).toString('hex');
    await bao.api('POST', `secret/data/${TENANT}/db`, { data: { password: next } });
    await waitFor(
      'the new value in the app',
      async () => ((await getJson(`http://${pod!.ip}:8080/files`)).body['db-password']?.sha256 === sha(next) ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  });
});
