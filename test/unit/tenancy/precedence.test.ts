/**
 * Tenant-specific validation and precedence, through the composed /validate handler (tenancy, then
 * policy) over the default policies: a tenant-level policy applies to its tenant only, and a tenant
 * cannot weaken an enforce policy set for the whole cluster or an environment.
 */
import assert from 'node:assert/strict';
import { compose } from '../../../webhook/admission/handler.js';
import type { AdmissionRequest } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { buildDocumentSet, loadDirectory } from '../../../webhook/policy/loader.js';
import { createValidationHandler } from '../../../webhook/policy/handler.js';
import { BULWARK_API_VERSION, type BulwarkDocument, type ConfigPolicy, type DocumentSet } from '../../../webhook/policy/documents.js';
import { createTenancyHandler } from '../../../webhook/tenancy/handler.js';
import { configMap, request } from './fixtures.js';

function policy(name: string, spec: ConfigPolicy['spec']): ConfigPolicy {
  return { apiVersion: BULWARK_API_VERSION, kind: 'ConfigPolicy', metadata: { name, namespace: 'bulwark-system' }, spec };
}

/** Shop weakens immutability to audit for its namespaces, and enforces immutability in its own dev. */
const SHOP_POLICIES = [
  policy('shop-relaxed', { mode: 'audit', level: 'tenant', match: { tenants: ['shop'], kinds: ['ConfigMap'] }, rules: [{ rule: 'immutability', params: { requireImmutable: false, versionedNames: false } }] }),
  policy('shop-dev-strict', { mode: 'enforce', level: 'tenant', match: { tenants: ['shop'], environments: ['dev'], kinds: ['ConfigMap'], selector: { matchLabels: { 'bulwark.dev/managed': 'true' } } }, rules: [{ rule: 'immutability', params: { requireImmutable: true } }] }),
];

describe('tenancy: tenant-specific policies and precedence (default policies)', () => {
  let docs: DocumentSet;
  const state = new MemoryClusterState({ authoritative: true });
  for (const [name, tenant, env] of [['shop-dev', 'shop', 'dev'], ['shop-prod', 'shop', 'prod'], ['payments-dev', 'payments', 'dev']] as const) {
    state.upsert({ kind: 'Namespace', metadata: { name, labels: { 'bulwark.dev/tenant': tenant, 'bulwark.dev/environment': env } } });
  }

  before(async () => {
    const loaded = await loadDirectory('policies');
    assert.deepEqual(loaded.errors, []);
    docs = buildDocumentSet([...(loaded.docs as BulwarkDocument[]), ...SHOP_POLICIES]);
  });

  async function validate(req: AdmissionRequest): Promise<{ allowed: boolean; message: string }> {
    const deps = { docs: () => docs, state, ownNamespace: 'bulwark-system' };
    const d = await compose('validate', [createTenancyHandler(deps), createValidationHandler(deps)]).handle(req);
    return { allowed: d.allowed, message: d.allowed ? (d.warnings ?? []).join('\n') : d.message };
  }

  const managed = { 'bulwark.dev/managed': 'true' };
  const rows: Array<{ name: string; req: () => AdmissionRequest; allowed: boolean; want: RegExp }> = [
    { name: 'a tenant audit policy cannot weaken the prod enforce policy', req: () => request('ConfigMap', 'CREATE', configMap('shop-prod', 'app-config-v1', managed)), allowed: false, want: /policy prod-managed-config rule immutability/ },
    { name: "the tenant's own enforce policy applies in its dev namespace", req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'app-config-v1', managed)), allowed: false, want: /policy bulwark-system\/shop-dev-strict rule immutability: ConfigMap shop-dev\/app-config-v1 must set immutable: true/ },
    { name: "another tenant's dev namespace is not affected", req: () => request('ConfigMap', 'CREATE', configMap('payments-dev', 'app-config-v1', managed)), allowed: true, want: /^(?![\s\S]*shop-dev-strict)/ },
    { name: 'tenancy runs first: a foreign label is refused before policies', req: () => request('ConfigMap', 'CREATE', configMap('shop-prod', 'x', { ...managed, 'bulwark.dev/tenant': 'payments' })), allowed: false, want: /^tenancy: denied for tenant shop: / },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const d = await validate(row.req());
      assert.equal(d.allowed, row.allowed, d.message);
      assert.match(d.message, row.want);
    });
  }
});
