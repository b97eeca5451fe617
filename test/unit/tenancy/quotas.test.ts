/**
 * Tenant quotas just under and just over each limit: managed ConfigMaps, Secrets, config bytes
 * (CREATE and UPDATE), injected pods (across the tenant's namespaces) and the fetch budget. Usage
 * comes from the cluster-state cache; denials name the tenant, the quota, the limit and the usage.
 */
import assert from 'node:assert/strict';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { resolveOptions } from '../../../webhook/config/options.js';
import { contextFromState } from '../../../webhook/inject/context.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import type { TenantQuotas } from '../../../webhook/policy/documents.js';
import { createTenancyHandler } from '../../../webhook/tenancy/handler.js';
import { computeUsage, quotaDenial } from '../../../webhook/tenancy/quotas.js';
import { configMap, pod, request, tenancyDocs } from './fixtures.js';

/** A state with shop-dev and shop-prod holding n ConfigMaps of `bytes` bytes each, s Secrets and p injected pods. */
function state(opts: { configMaps?: number; bytes?: number; secrets?: number; pods?: number } = {}): MemoryClusterState {
  const s = new MemoryClusterState({ authoritative: true, serverVersion: { major: 1, minor: 33 } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'shop-dev', labels: { 'bulwark.dev/tenant': 'shop' } } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'shop-prod', labels: { 'bulwark.dev/tenant': 'shop' } } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'payments-prod', labels: { 'bulwark.dev/tenant': 'payments' } } });
  for (let i = 0; i < (opts.configMaps ?? 0); i++) s.upsert(configMap(i % 2 ? 'shop-prod' : 'shop-dev', `cm-${i}`, {}, { v: 'x'.repeat(opts.bytes ?? 1) }));
  for (let i = 0; i < (opts.secrets ?? 0); i++) s.upsert({ kind: 'Secret', metadata: { namespace: 'shop-dev', name: `s-${i}` }, data: { v: 'eA==' } });
  for (let i = 0; i < (opts.pods ?? 0); i++) s.upsert({ kind: 'Pod', metadata: { namespace: i % 2 ? 'shop-prod' : 'shop-dev', name: `p-${i}`, uid: `u-${i}`, annotations: { 'bulwark.dev/status': 'injected; spec-sha256=x' } } });
  // never counted: the root CA ConfigMap, service-account tokens, and another tenant's objects
  s.upsert(configMap('shop-dev', 'kube-root-ca.crt', {}, { 'ca.crt': 'x'.repeat(5000) }));
  s.upsert({ kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { namespace: 'shop-dev', name: 'tok' }, data: { t: 'eA==' } });
  s.upsert(configMap('payments-prod', 'other', {}, { v: 'x'.repeat(500) }));
  return s;
}

async function admit(quotas: TenantQuotas, st: MemoryClusterState, req: ReturnType<typeof request>): Promise<string | undefined> {
  const docs = tenancyDocs({ shopQuotas: quotas });
  const d = await createTenancyHandler({ docs: () => docs, state: st, ownNamespace: 'bulwark-system' }).handle(req);
  return d.allowed ? undefined : d.message;
}

const secret = (name: string, type?: string) => ({ apiVersion: 'v1', kind: 'Secret', ...(type ? { type } : {}), metadata: { namespace: 'shop-dev', name }, data: { v: 'eA==' } });

describe('tenancy/quotas: usage from the cache', () => {
  it('counts ConfigMaps, bytes, Secrets and injected pods across the tenant namespaces only', () => {
    assert.deepEqual(computeUsage(tenancyDocs(), state({ configMaps: 3, bytes: 7, secrets: 2, pods: 3 }), 'shop'), { configMaps: 3, configBytes: 21, secrets: 2, injectedPods: 3 });
  });

  it('formats a denial with tenant, quota, limit, usage and the fix; nothing added is never denied', () => {
    assert.equal(quotaDenial({ tenant: 'shop', quota: 'secrets', limit: 3, usage: 3, adds: 1 }), 'tenant shop is over its quota secrets: limit 3, current usage 3, this request adds 1; delete unused Secrets or raise spec.quotas.secrets in Tenant shop');
    assert.equal(quotaDenial({ tenant: 'shop', quota: 'secrets', limit: 3, usage: 9, adds: 0 }), undefined);
    assert.equal(quotaDenial({ tenant: 'shop', quota: 'secrets', limit: undefined, usage: 9, adds: 1 }), undefined);
  });
});

describe('tenancy/quotas: just under and just over each limit', () => {
  const rows: Array<{ name: string; quotas: TenantQuotas; st: () => MemoryClusterState; req: () => ReturnType<typeof request>; want: RegExp | 'allowed' }> = [
    { name: 'configMaps: 4 of 5, one more', quotas: { configMaps: 5 }, st: () => state({ configMaps: 4 }), req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'new')), want: 'allowed' },
    { name: 'configMaps: 5 of 5, one more', quotas: { configMaps: 5 }, st: () => state({ configMaps: 5 }), req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'new')), want: /tenant shop is over its quota configMaps: limit 5, current usage 5, this request adds 1/ },
    { name: 'configMaps: 5 of 5, an update', quotas: { configMaps: 5 }, st: () => state({ configMaps: 5 }), req: () => request('ConfigMap', 'UPDATE', configMap('shop-dev', 'cm-0', {}, { v: 'y' }), { oldObject: configMap('shop-dev', 'cm-0', {}, { v: 'x' }) }), want: 'allowed' },
    { name: 'configMaps: the root CA ConfigMap is never counted', quotas: { configMaps: 5 }, st: () => state({ configMaps: 5 }), req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'kube-root-ca.crt')), want: 'allowed' },
    { name: 'secrets: 2 of 3, one more', quotas: { secrets: 3 }, st: () => state({ secrets: 2 }), req: () => request('Secret', 'CREATE', secret('new')), want: 'allowed' },
    { name: 'secrets: 3 of 3, one more', quotas: { secrets: 3 }, st: () => state({ secrets: 3 }), req: () => request('Secret', 'CREATE', secret('new')), want: /quota secrets: limit 3, current usage 3, this request adds 1; delete unused Secrets/ },
    { name: 'secrets: 3 of 3, a service-account token', quotas: { secrets: 3 }, st: () => state({ secrets: 3 }), req: () => request('Secret', 'CREATE', secret('tok2', 'kubernetes.io/service-account-token')), want: 'allowed' },
    { name: 'configBytes: 90 of 100, 10 more', quotas: { configBytes: 100 }, st: () => state({ configMaps: 9, bytes: 10 }), req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'new', {}, { v: 'x'.repeat(10) })), want: 'allowed' },
    { name: 'configBytes: 90 of 100, 11 more', quotas: { configBytes: 100 }, st: () => state({ configMaps: 9, bytes: 10 }), req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'new', {}, { v: 'x'.repeat(11) })), want: /quota configBytes: limit 100, current usage 90, this request adds 11/ },
    { name: 'configBytes: update grows 10 to 20 at 90 of 100', quotas: { configBytes: 100 }, st: () => state({ configMaps: 9, bytes: 10 }), req: () => request('ConfigMap', 'UPDATE', configMap('shop-dev', 'cm-0', {}, { v: 'x'.repeat(20) }), { oldObject: configMap('shop-dev', 'cm-0', {}, { v: 'x'.repeat(10) }) }), want: 'allowed' },
    { name: 'configBytes: update grows 10 to 21 at 90 of 100', quotas: { configBytes: 100 }, st: () => state({ configMaps: 9, bytes: 10 }), req: () => request('ConfigMap', 'UPDATE', configMap('shop-dev', 'cm-0', {}, { v: 'x'.repeat(21) }), { oldObject: configMap('shop-dev', 'cm-0', {}, { v: 'x'.repeat(10) }) }), want: /quota configBytes: limit 100, current usage 90, this request adds 11/ },
    { name: 'configBytes: a shrinking update while over the limit', quotas: { configBytes: 10 }, st: () => state({ configMaps: 9, bytes: 10 }), req: () => request('ConfigMap', 'UPDATE', configMap('shop-dev', 'cm-0', {}, { v: 'x' }), { oldObject: configMap('shop-dev', 'cm-0', {}, { v: 'x'.repeat(10) }) }), want: 'allowed' },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const msg = await admit(row.quotas, row.st(), row.req());
      if (row.want === 'allowed') assert.equal(msg, undefined);
      else {
        assert.ok(msg, 'expected a denial');
        assert.match(msg, row.want);
        assert.match(msg, /^tenancy: denied for tenant shop: /);
      }
    });
  }

  const injectRows: Array<{ name: string; quotas: TenantQuotas; pods: number; want: RegExp | 'allowed' }> = [
    { name: 'injectedPods: 1 of 2 (across shop-dev and shop-prod), one more', quotas: { injectedPods: 2 }, pods: 1, want: 'allowed' },
    { name: 'injectedPods: 2 of 2, one more', quotas: { injectedPods: 2 }, pods: 2, want: /sidecar injection denied for tenant shop: metadata\.annotations: tenant shop is over its quota injectedPods: limit 2, current usage 2, this request adds 1; scale down injected workloads/ },
    { name: 'fetchesPerMinute: 1 is carried into the spec', quotas: { fetchesPerMinute: 1 }, pods: 0, want: 'allowed' },
    { name: 'fetchesPerMinute: 0 refuses injection', quotas: { fetchesPerMinute: 0 }, pods: 0, want: /quota fetchesPerMinute: limit 0.*a fetch budget of 0 lets the sidecar fetch nothing/ },
  ];
  for (const row of injectRows) {
    it(row.name, () => {
      const st = state({ pods: row.pods });
      const r = injectPod(pod({ 'bulwark.dev/secret.db': 'vault:secret/data/shop/db' }), contextFromState(st, 'shop-prod', resolveOptions({}, {}), tenancyDocs({ shopQuotas: row.quotas })));
      if (row.want === 'allowed') {
        assert.equal(r.result, 'injected', JSON.stringify(r));
        if (r.result === 'injected' && row.quotas.fetchesPerMinute !== undefined) assert.equal(r.spec.fetchBudgetPerMinute, row.quotas.fetchesPerMinute);
      } else {
        assert.equal(r.result, 'denied');
        if (r.result === 'denied') {
          assert.equal(r.code, 403);
          assert.ok(r.errors.some((e) => e.code === 'TENANT_QUOTA_EXCEEDED'));
          assert.match(r.message, row.want);
        }
      }
    });
  }
});
