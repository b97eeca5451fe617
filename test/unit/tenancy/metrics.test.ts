/**
 * Tenancy metrics: denials are counted with a bounded tenant label (a tenant without a Tenant
 * document is "other", no tenant is "none"), and per-tenant usage and limit gauges follow the cache.
 */
import assert from 'node:assert/strict';
import { createMetrics } from '../../../webhook/metrics.js';
import { createTenancyHandler } from '../../../webhook/tenancy/handler.js';
import { refreshTenantGauges, startTenantGauges } from '../../../webhook/tenancy/usage-gauges.js';
import { tenantMetricLabel } from '../../../webhook/tenancy/tenants.js';
import { configMap, namespace, request, tenancyDocs, tenancyState } from './fixtures.js';

async function values(m: ReturnType<typeof createMetrics>, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = m.registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Array<{ labels: Record<string, string | number>; value: number }>) : [];
}

describe('tenancy/metrics', () => {
  it('bounds the tenant label by the Tenant documents', () => {
    const docs = tenancyDocs();
    assert.deepEqual([tenantMetricLabel(docs, 'shop'), tenantMetricLabel(docs, 'made-up-123'), tenantMetricLabel(docs, undefined)], ['shop', 'other', 'none']);
  });

  it('counts each denial with policy tenancy, the code as rule, namespace and bounded tenant', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const docs = tenancyDocs();
    const state = tenancyState();
    state.upsert(namespace('rogue', { 'bulwark.dev/tenant': 'made-up-123' }));
    const h = createTenancyHandler({ docs: () => docs, state, ownNamespace: 'bulwark-system', metrics });
    await h.handle(request('ConfigMap', 'CREATE', configMap('shop-dev', 'x', { 'bulwark.dev/tenant': 'payments' })));
    await h.handle(request('ConfigMap', 'CREATE', configMap('rogue', 'x', { 'bulwark.dev/tenant': 'payments' })));
    await h.handle(request('ConfigMap', 'CREATE', configMap('sandbox', 'x', { 'bulwark.dev/tenant': 'payments' })));
    const got = (await values(metrics, 'bulwark_policy_violations_total')).map((v) => [v.labels.tenant, v.labels.namespace, v.labels.rule, v.labels.policy, v.value]);
    assert.deepEqual(got, [
      ['shop', 'shop-dev', 'TENANT_LABEL_FOREIGN', 'tenancy', 1],
      ['other', 'rogue', 'TENANT_LABEL_FOREIGN', 'tenancy', 1],
      ['none', 'sandbox', 'TENANT_LABEL_FOREIGN', 'tenancy', 1],
    ]);
  });

  it('never takes a namespace label from a request: a denied Namespace CREATE (dry run too) or an uncached namespace counts as ""', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const docs = tenancyDocs();
    const state = tenancyState();
    const h = createTenancyHandler({ docs: () => docs, state, ownNamespace: 'bulwark-system', metrics });
    for (let i = 0; i < 3; i++) {
      const req = request('Namespace', 'CREATE', namespace(`chosen-by-mallory-${i}`, { 'bulwark.dev/tenant': 'payments' }), { namespace: `chosen-by-mallory-${i}` });
      req.dryRun = true;
      const d = await h.handle(req);
      assert.equal(d.allowed, false);
    }
    await h.handle(request('ConfigMap', 'CREATE', configMap('not-yet-cached', 'x', { 'bulwark.dev/tenant': 'payments' })));
    await h.handle(request('ConfigMap', 'CREATE', configMap('shop-dev', 'x', { 'bulwark.dev/tenant': 'payments' })));
    const got = (await values(metrics, 'bulwark_policy_violations_total')).map((v) => [v.labels.namespace, v.labels.rule, v.value]);
    assert.deepEqual(got, [
      ['', 'TENANT_RELABEL_FORBIDDEN', 3],
      ['', 'TENANT_LABEL_FOREIGN', 1],
      ['shop-dev', 'TENANT_LABEL_FOREIGN', 1],
    ]);
  });

  it('exports usage and limit gauges per tenant and follows the cache on refresh', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const docs = tenancyDocs();
    const state = tenancyState();
    refreshTenantGauges(metrics, docs, state);
    const usage = async (tenant: string, quota: string) => (await values(metrics, 'bulwark_tenant_usage')).find((v) => v.labels.tenant === tenant && v.labels.quota === quota)?.value;
    const limit = async (tenant: string, quota: string) => (await values(metrics, 'bulwark_tenant_quota_limit')).find((v) => v.labels.tenant === tenant && v.labels.quota === quota)?.value;
    assert.equal(await usage('shop', 'configMaps'), 4);
    assert.equal(await usage('shop', 'secrets'), 1);
    assert.equal(await limit('shop', 'configMaps'), 5);
    assert.equal(await limit('payments', 'configMaps'), undefined, 'payments sets no configMaps quota');
    const r = startTenantGauges({ metrics, docs: () => docs, state, intervalMs: 60_000 });
    state.upsert(configMap('shop-prod', 'more'));
    r.refresh();
    r.stop();
    assert.equal(await usage('shop', 'configMaps'), 5);
    assert.deepEqual([...new Set((await values(metrics, 'bulwark_tenant_usage')).map((v) => v.labels.tenant))].sort(), ['legacy', 'payments', 'platform', 'shop']);
  });
});
