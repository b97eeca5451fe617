import assert from 'node:assert/strict';
import { createMetrics } from '../../../webhook/metrics.js';
import { buildDocumentSet } from '../../../webhook/policy/document-set.js';
import type { ConfigPolicy, Tenant } from '../../../webhook/policy/documents.js';
import { createValidationHandler } from '../../../webhook/policy/handler.js';
import { leakyConfigMap, policy, request, state } from './helpers.js';

/** The Tenant document of "shop"; "toys" has none, so its metric label is "other" (bounded cardinality). */
const SHOP: Tenant = { apiVersion: 'bulwark.dev/v1alpha1', kind: 'Tenant', metadata: { name: 'shop' }, spec: { namespaces: ['team-a'] } };

function handler(policies: ConfigPolicy[]) {
  const metrics = createMetrics({ processMetrics: false });
  const docs = buildDocumentSet([...policies, SHOP]);
  const h = createValidationHandler({ docs: () => docs, state: state(), ownNamespace: 'bulwark-system', metrics });
  return { h, metrics };
}

async function count(metrics: ReturnType<typeof createMetrics>, labels: Record<string, string>): Promise<number> {
  const m = await metrics.policyViolations.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x)).reduce((a, v) => a + v.value, 0);
}

describe('validation handler: decisions', () => {
  it('denies enforce failures with 403, naming policy, rule, problem and fix, without the value', async () => {
    const { h, metrics } = handler([policy('no-leaks', { rules: [{ rule: 'secret-leaks' }] })]);
    const d = await h.handle(request(leakyConfigMap()));
    assert.equal(d.allowed, false);
    if (d.allowed) return;
    assert.equal(d.code, 403);
    assert.match(d.message, /^policy no-leaks rule secret-leaks: ConfigMap team-a\/app data key DB_PASSWORD looks like a plain-text secret \(high-entropy\); move it to a Secret/);
    assert.ok(!d.message.includes('qT7vN2xLp9Rz4wKm8eYc'));
    assert.equal(await count(metrics, { policy: 'no-leaks', rule: 'secret-leaks', namespace: 'team-a', tenant: 'shop', mode: 'enforce' }), 1);
  });

  it('labels a violation in a namespace the cache does not know with namespace ""', async () => {
    const { h, metrics } = handler([policy('no-leaks', { rules: [{ rule: 'secret-leaks' }] })]);
    const cm = leakyConfigMap();
    cm.metadata!.namespace = 'chosen-by-request';
    const d = await h.handle({ ...request(cm), namespace: 'chosen-by-request' });
    assert.equal(d.allowed, false);
    assert.equal(await count(metrics, { policy: 'no-leaks', namespace: '' }), 1);
    assert.equal(await count(metrics, { namespace: 'chosen-by-request' }), 0);
  });

  it('joins several denials', async () => {
    const { h } = handler([policy('p', { rules: [{ rule: 'secret-leaks' }, { rule: 'immutability', params: { requireImmutable: true } }] })]);
    const d = await h.handle(request(leakyConfigMap()));
    assert.ok(!d.allowed);
    if (d.allowed) return;
    assert.match(d.message, /^2 policy violations: policy p rule secret-leaks: .*; policy p rule immutability: ConfigMap team-a\/app must set immutable: true/);
  });

  it('turns audit failures into warnings and counts them with mode audit', async () => {
    const { h, metrics } = handler([policy('watch', { mode: 'audit', rules: [{ rule: 'secret-leaks' }] })]);
    const d = await h.handle(request(leakyConfigMap('team-b')));
    assert.equal(d.allowed, true);
    assert.equal(d.warnings?.length, 1);
    assert.match(d.warnings![0]!, /^\[audit\] policy watch rule secret-leaks: /);
    assert.equal(await count(metrics, { mode: 'audit', tenant: 'other', namespace: 'team-b' }), 1);
    assert.equal(await count(metrics, { tenant: 'toys' }), 0, 'a tenant without a Tenant document never becomes a label value');
  });

  it('turns warn results into warnings even in enforce mode', async () => {
    const { h } = handler([policy('p', { rules: [{ rule: 'secret-hygiene' }] })]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team-a' }, type: 'Opaque', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } };
    const d = await h.handle(request(secret));
    assert.equal(d.allowed, true);
    assert.match(d.warnings?.[0] ?? '', /set type: kubernetes.io\/tls/);
  });

  it('never denies for a broken policy, but warns and counts it', async () => {
    const { h, metrics } = handler([policy('broken', { rules: [{ rule: 'secret-leaks', params: { minLength: 1 } }] })]);
    const d = await h.handle(request(leakyConfigMap()));
    assert.equal(d.allowed, true);
    assert.match(d.warnings?.[0] ?? '', /policy broken rule secret-leaks: .*invalid params.*the policy is broken/);
    assert.equal(await count(metrics, { policy: 'broken' }), 1);
  });

  it('allows clean objects without warnings and counts nothing', async () => {
    const { h, metrics } = handler([policy('p', { rules: [{ rule: 'secret-leaks' }] })]);
    const d = await h.handle(request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a' }, data: { LOG_LEVEL: 'info' } }));
    assert.deepEqual(d, { allowed: true });
    assert.equal(await count(metrics, {}), 0);
  });
});

describe('validation handler: Bulwark kinds', () => {
  const { h } = handler([policy('p', { rules: [{ rule: 'secret-leaks' }] })]);
  const own = (object: Record<string, unknown>, operation: 'CREATE' | 'DELETE' = 'CREATE') =>
    h.handle({ ...request(object as never, { operation, group: 'bulwark.dev' }), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: String(object.kind) } });
  const rows = [
    { name: 'valid policy', obj: { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: { name: 'x', namespace: 'team-a' }, spec: { mode: 'audit', rules: [{ rule: 'schema' }] } }, want: undefined },
    { name: 'policy with a bad rule', obj: { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: { name: 'x' }, spec: { mode: 'audit', rules: [{ rule: 'nope' }] } }, want: /ConfigPolicy x is not a valid Bulwark document: \/spec\/rules\/0\/rule must be equal to one of the allowed values/ },
    { name: 'schema that does not compile', obj: { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigSchema', metadata: { name: 's' }, spec: { schema: { type: 'strnig' } } }, want: /\/spec\/schema is not a usable JSON Schema/ },
    { name: 'store without provider', obj: { apiVersion: 'bulwark.dev/v1alpha1', kind: 'SecretStore', metadata: { name: 's', namespace: 'team-a' }, spec: {} }, want: /\/spec must have required property 'provider'/ },
    { name: 'tenant with an unknown field', obj: { apiVersion: 'bulwark.dev/v1alpha1', kind: 'Tenant', metadata: { name: 't' }, spec: { owners: [] } }, want: /\/spec must NOT have additional properties \(owners\)/ },
  ];
  for (const row of rows) {
    it(`${row.want ? 'denies' : 'allows'} ${row.name}`, async () => {
      const d = await own(row.obj);
      if (!row.want) return assert.equal(d.allowed, true);
      assert.equal(d.allowed, false);
      if (!d.allowed) assert.match(d.message, row.want);
    });
  }
  it('allows deleting a Bulwark object', async () => assert.equal((await own(rows[1]!.obj, 'DELETE')).allowed, true));
});
