/**
 * Configuration validation through the real apiserver: what a kubectl user sees when a ConfigMap or
 * Secret breaks a policy in enforce mode (denied with Bulwark's message) and in audit mode
 * (admitted with "Warning:" lines), and that Bulwark's own documents are validated on admission.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { testCluster } from './harness/env.js';
import { eventually, webhookWithNamespaces } from './harness/fixtures.js';

/** A ConfigMap manifest. */
function configMap(namespace: string, name: string, data: Record<string, string>, extra: { immutable?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: extra.labels ?? {}, annotations: extra.annotations ?? {} },
    data,
    ...(extra.immutable !== undefined ? { immutable: extra.immutable } : {}),
  };
}

const PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const DENIED = /admission webhook "config\.bulwark\.dev" denied the request/;

describe('e2e: configuration validation (validating webhook, default policies)', function () {
  this.timeout(60_000);
  before(() => webhookWithNamespaces());

  const MANAGED = { 'bulwark.dev/managed': 'true' };
  const APP_SCHEMA = { 'bulwark.dev/schema': 'app.yaml=app-config' };
  const GOOD_APP = 'server:\n  port: 8080\n';
  const BAD_APP = 'server:\n  port: eighty\n';

  it('rejects a managed ConfigMap without immutable: true in a prod namespace, and admits it with immutable: true', async () => {
    const k = testCluster().kubectl;
    const cm = configMap('e2e-prod', 'app-config-v1', { 'app.yaml': GOOD_APP }, { labels: MANAGED, annotations: APP_SCHEMA });
    const r = await k.create(cm);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, DENIED);
    assert.match(r.stderr, /ConfigMap e2e-prod\/app-config-v1 must set immutable: true in namespaces labelled bulwark\.dev\/environment=prod/);
    const ok = await k.create({ ...cm, immutable: true });
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('rejects a managed, mutable Secret in a prod namespace without echoing its value', async () => {
    const k = testCluster().kubectl;
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-v1', namespace: 'e2e-prod', labels: MANAGED }, stringData: { password: 's3cr3t-value-e2e' } };
    const r = await k.create(secret);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, DENIED);
    assert.match(r.stderr, /Secret e2e-prod\/db-v1 must set immutable: true/);
    assert.ok(!r.stderr.includes('s3cr3t-value-e2e'), 'the secret value appears in the denial');
    assert.equal((await k.create({ ...secret, immutable: true })).code, 0);
  });

  it("rejects an update to a managed ConfigMap's data, and admits a metadata-only change", async () => {
    const k = testCluster().kubectl;
    const managed = configMap('e2e-dev', 'managed', { level: 'info' }, { labels: MANAGED });
    const created = await k.apply(managed);
    assert.equal(created.code, 0, created.stderr);
    const r = await k.apply({ ...managed, data: { level: 'debug' } });
    assert.notEqual(r.code, 0, 'the data edit was admitted');
    assert.match(r.stderr, DENIED);
    assert.match(r.stderr, /ConfigMap e2e-dev\/managed is managed; its data cannot be edited \(keys changed: level\)/);
    assert.equal((await k.getJson('configmap', 'managed', 'e2e-dev')).data.level, 'info');
    const meta = await k.run(['-n', 'e2e-dev', 'annotate', 'configmap', 'managed', 'kubectl.kubernetes.io/note=ok']);
    assert.equal(meta.code, 0, meta.stderr);
  });

  it('rejects a ConfigMap whose content fails its ConfigSchema in prod, naming the failing path', async () => {
    const k = testCluster().kubectl;
    const r = await k.create(configMap('e2e-prod', 'settings', { 'app.yaml': BAD_APP }, { annotations: APP_SCHEMA }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, DENIED);
    assert.match(r.stderr, /app-config/);
    assert.match(r.stderr, /server\/port must be integer/);
    const ok = await k.create(configMap('e2e-prod', 'settings', { 'app.yaml': GOOD_APP }, { annotations: APP_SCHEMA }));
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('admits the same schema failure in dev (audit there) and kubectl prints it as a warning', async () => {
    const k = testCluster().kubectl;
    const r = await k.create(configMap('e2e-dev', 'settings', { 'app.yaml': BAD_APP }, { annotations: APP_SCHEMA }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: .*server\/port must be integer/m);
    assert.ok(await k.getJson('configmap', 'settings', 'e2e-dev'));
  });

  it('rejects a ConfigMap holding a private key, without echoing the key', async () => {
    const r = await testCluster().kubectl.create(configMap('e2e-dev', 'leaky', { 'tls.key': PRIVATE_KEY }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, DENIED);
    assert.match(r.stderr, /data key tls\.key looks like a plain-text secret \(pem-private-key\)/);
    assert.ok(!r.stderr.includes(PRIVATE_KEY.split('\n')[1]!), 'key material appears in the denial');
  });

  it('in audit mode admits a mutable ConfigMap and kubectl prints the finding as a warning', async () => {
    const k = testCluster().kubectl;
    const r = await k.create(configMap('e2e-audit', 'mutable', { level: 'info' }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: .*policy e2e-audit rule environment: ConfigMap e2e-audit\/mutable must set immutable: true/m);
    assert.ok(await k.getJson('configmap', 'mutable', 'e2e-audit'), 'the audited ConfigMap was not stored');
  });

  it('an audit policy cannot weaken the enforced baseline: a private key is still denied in the audit namespace', async () => {
    const r = await testCluster().kubectl.create(configMap('e2e-audit', 'leaky', { 'tls.key': PRIVATE_KEY }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pem-private-key/);
  });

  it('checks the pod templates of ReplicationControllers and bare ReplicaSets, not those a Deployment owns', async () => {
    const leakyTemplate = (name: string) => ({
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8vK2mX9p' }, { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAZ7Q3LMN4PQRS5TUV' }] }] },
    });
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy', namespace: 'e2e-dev' }, spec: { replicas: 0, selector: { app: 'legacy' }, template: leakyTemplate('legacy') } };
    const bare = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'bare', namespace: 'e2e-dev' }, spec: { replicas: 0, selector: { matchLabels: { app: 'bare' } }, template: leakyTemplate('bare') } };
    for (const obj of [rc, bare]) {
      const r = await testCluster().kubectl.create(obj, ['--dry-run=server']);
      assert.notEqual(r.code, 0, `${obj.kind} with a plain-text key in its template is denied`);
      assert.match(r.stderr, /workloads\.bulwark\.dev" denied the request/);
      assert.ok(!r.stderr.includes('wJalrXUtnFEMI'), 'the value is not echoed');
    }
    // the same ReplicaSet owned by a Deployment is not checked again (its Deployment was)
    const owned = { ...bare, metadata: { ...bare.metadata, name: 'owned', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '7d2c1a8e-0000-4000-8000-000000000001' }] } };
    const r = await testCluster().kubectl.create(owned, ['--dry-run=server']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('admits an ordinary ConfigMap in an unlabelled namespace without warnings', async () => {
    const r = await testCluster().kubectl.create(configMap('e2e-plain', 'ordinary', { level: 'info', 'app.yaml': GOOD_APP }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  it('rejects an invalid Bulwark document that passes the CRD schema', async function () {
    const k = testCluster().kubectl;
    const crds = JSON.parse(await k.ok(['get', 'crd', '-o', 'json'])).items.map((c: any) => c.metadata.name);
    if (!crds.includes('configpolicies.bulwark.dev')) this.skip();
    const good = { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: { name: 'e2e-cr', namespace: 'e2e-dev' }, spec: { mode: 'audit', rules: [{ rule: 'immutability' }] } };
    await eventually(async () => assert.equal((await k.apply(good, ['--dry-run=server'])).code, 0));
    const bad = { ...good, spec: { mode: 'audit', rules: [{ rule: 'immutability', params: { requireImmutable: 'yes' } }] } };
    const r = await k.apply(bad);
    assert.notEqual(r.code, 0, 'an invalid policy was admitted');
    assert.match(r.stderr, /admission webhook "documents\.bulwark\.dev" denied the request/);
    assert.match(r.stderr, /requireImmutable/);
  });
});
