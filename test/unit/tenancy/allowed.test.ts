/**
 * What tenancy must keep allowing: a tenant's own paths, paths and ConfigMaps shared under a grant
 * (with the granted paths carried into the sidecar spec), label changes by the identities the
 * Tenant names, namespaces a Tenant lists, and the spec the webhook itself injected.
 */
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import type { AdmissionRequest, KubeObject } from '../../../webhook/admission/types.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { createTenancyHandler } from '../../../webhook/tenancy/handler.js';
import { configMap, injectCtx, namespace, pod, request, tenancyDocs, tenancyState, tenant, USERS } from './fixtures.js';

async function decide(req: AdmissionRequest): Promise<{ allowed: boolean; message?: string | undefined }> {
  const docs = tenancyDocs();
  const d = await createTenancyHandler({ docs: () => docs, state: tenancyState(), ownNamespace: 'bulwark-system' }).handle(req);
  return d.allowed ? { allowed: true } : { allowed: false, message: d.message };
}

describe('tenancy: injection allows own and granted reads', () => {
  const rows: Array<{ name: string; input: Record<string, string> }> = [
    { name: 'own path', input: { 'bulwark.dev/secret.db': 'vault:secret/data/shop/db#password' } },
    { name: 'path granted by payments', input: { 'bulwark.dev/secret.key': 'vault:secret/data/payments/public/keys' } },
    { name: 'own ConfigMap', input: { 'bulwark.dev/config.app.json': 'app-config' } },
    { name: 'platform ConfigMap under the grant', input: { 'bulwark.dev/config.ca.pem': 'platform-ca' } },
  ];
  for (const row of rows) {
    it(`injects: ${row.name}`, () => {
      const r = injectPod(pod(row.input), injectCtx('shop-dev'));
      assert.equal(r.result, 'injected', JSON.stringify(r));
    });
  }

  it('carries own prefixes then granted paths into the spec, and the fetch budget', () => {
    const r = injectPod(pod({ 'bulwark.dev/secret.key': 'vault:secret/data/payments/public/keys' }), injectCtx('shop-dev'));
    assert.equal(r.result, 'injected');
    if (r.result !== 'injected') return;
    assert.deepEqual(r.spec.stores.vault?.pathPrefixes, ['secret/data/shop/', 'secret/data/payments/public/']);
    assert.equal(r.spec.fetchBudgetPerMinute, 60);
  });

  it('a scoped namespaced SecretStore inside the cluster store prefixes is not an alias', () => {
    const r = injectPod(pod({ 'bulwark.dev/secret.db': 'scoped:secret/data/legacy/app/db' }), injectCtx('legacy-dev'));
    assert.equal(r.result, 'injected', JSON.stringify(r));
  });
});

describe('tenancy: validation allows the identities and documents that are entitled', () => {
  const shopDev = namespace('shop-dev', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'dev' });
  const rows: Array<{ name: string; req: AdmissionRequest }> = [
    { name: 'tenant label admin changes the environment', req: request('Namespace', 'UPDATE', namespace('shop-dev', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'staging' }), { oldObject: shopDev, user: USERS.shopAdmin }) },
    { name: 'cluster admin moves a namespace between tenants', req: request('Namespace', 'UPDATE', namespace('shop-dev', { 'bulwark.dev/tenant': 'payments' }), { oldObject: shopDev, user: USERS.clusterAdmin }) },
    { name: 'anyone creates a namespace its Tenant lists', req: request('Namespace', 'CREATE', namespace('shop-staging', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'staging' })) },
    { name: 'unrelated label change', req: request('Namespace', 'UPDATE', namespace('shop-dev', { ...shopDev.metadata!.labels, team: 'web' }), { oldObject: shopDev }) },
    { name: 'namespace without tenant', req: request('Namespace', 'CREATE', namespace('scratch', { team: 'x' })) },
    { name: 'ConfigMap labelled with its own tenant', req: request('ConfigMap', 'CREATE', configMap('shop-dev', 'x', { 'bulwark.dev/tenant': 'shop' })) },
    { name: 'platform admin places a granted ConfigMap', req: request('ConfigMap', 'CREATE', configMap('shop-dev', 'platform-endpoints', { 'bulwark.dev/tenant': 'platform' }), { user: USERS.platformAdmin }) },
    { name: 'Tenant sharing a path it owns', req: { ...request('Tenant', 'CREATE', tenant('ops', { stores: [{ name: 'vault' }], grants: [{ to: ['shop'], store: 'vault', paths: ['secret/data/{tenant}/shared/'] }] }) as unknown as KubeObject), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: 'Tenant' } } },
    { name: 'objects in the webhook namespace', req: request('ConfigMap', 'CREATE', configMap('bulwark-system', 'x', { 'bulwark.dev/tenant': 'payments' })) },
  ];
  for (const row of rows) {
    it(`allows: ${row.name}`, async () => {
      const d = await decide(row.req);
      assert.equal(d.allowed, true, d.message);
    });
  }

  it('allows the pod the mutating webhook injected (validate runs after mutate)', async () => {
    const raw = pod({ 'bulwark.dev/secret.db': 'vault:secret/data/shop/db', 'bulwark.dev/secret.key': 'vault:secret/data/payments/public/keys', 'bulwark.dev/config.ca.pem': 'platform-ca' });
    const r = injectPod(raw, injectCtx('shop-dev'));
    assert.equal(r.result, 'injected');
    if (r.result !== 'injected') return;
    const mutated = jsonpatch.applyPatch(structuredClone(raw), r.patch as never, true, false).newDocument as KubeObject;
    mutated.metadata!.namespace = 'shop-dev';
    const d = await decide(request('Pod', 'CREATE', mutated));
    assert.equal(d.allowed, true, d.message);
    // and the same pod with one prefix widened by hand is refused
    const widened = structuredClone(mutated);
    const env = (widened.spec as any).initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC');
    const spec = JSON.parse(env.value);
    spec.stores.vault.pathPrefixes.push('secret/data/');
    env.value = JSON.stringify(spec);
    const denied = await decide(request('Pod', 'CREATE', widened));
    assert.equal(denied.allowed, false);
    assert.match(denied.message!, /TENANT_SPEC_TAMPERED|differs from what Bulwark injects for tenant shop/);
  });
});
