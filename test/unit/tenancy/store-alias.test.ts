/**
 * Namespaced SecretStores used by a tenant: other spellings of a cluster store's in-cluster address
 * are recognised, and where the cluster scopes a provider per tenant a namespaced store of that
 * provider must declare pathPrefixes inside the tenant's own, whatever address it names.
 */
import assert from 'node:assert/strict';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { addressKey } from '../../../webhook/inject/stores.js';
import type { SecretStore } from '../../../webhook/policy/documents.js';
import { injectCtx, pod, store, tenancyDocs } from './fixtures.js';

function inject(namespace: string, spec: SecretStore['spec'], path: string) {
  const docs = tenancyDocs();
  docs.stores.set(`${namespace}/mine`, store('mine', spec, namespace));
  docs.tenants.get('shop')!.spec.stores!.push({ name: 'mine' }); // shop's Tenant lets it use its own store
  return injectPod(pod({ 'bulwark.dev/secret.db': `mine:${path}` }), injectCtx(namespace, docs));
}

describe('tenancy: namespaced store aliases', () => {
  const refused: Array<{ name: string; ns?: string; spec: SecretStore['spec']; path?: string; want: RegExp }> = [
    { name: 'the cluster Vault as name.ns.svc.cluster.local', spec: { provider: 'vault', address: 'https://vault.vault.svc.cluster.local:8200' }, want: /SecretStore legacy-dev\/mine aliases ClusterSecretStore vault \(same vault address\)/ },
    { name: 'the cluster Vault as name.ns with a trailing dot and upper case', spec: { provider: 'vault', address: 'https://Vault.VAULT.:8200' }, want: /aliases ClusterSecretStore vault \(same vault address\)/ },
    { name: 'the cluster Vault by a ClusterIP, without prefixes', spec: { provider: 'vault', address: 'https://10.96.0.15:8200' }, want: /SecretStore legacy-dev\/mine \(vault\) declares no pathPrefixes inside tenant legacy's own prefixes \(secret\/data\/legacy\/\); .*set spec\.pathPrefixes inside secret\/data\/legacy\// },
    { name: 'an external name, with prefixes of another tenant', spec: { provider: 'vault', address: 'https://vault.example.com', pathPrefixes: ['secret/data/shop/'] }, path: 'secret/data/shop/db', want: /declares pathPrefixes secret\/data\/shop\/, outside tenant legacy's own prefixes/ },
    { name: 'a tenant with a Tenant document: own prefixes come from its grant', ns: 'shop-dev', spec: { provider: 'vault', address: 'https://10.96.0.15:8200', pathPrefixes: ['secret/data/'] }, path: 'secret/data/shop/db', want: /outside tenant shop's own prefixes \(secret\/data\/shop\/\)/ },
  ];
  for (const row of refused) {
    it(`refuses: ${row.name}`, () => {
      const r = inject(row.ns ?? 'legacy-dev', row.spec, row.path ?? 'secret/data/legacy/app/db');
      assert.equal(r.result, 'denied', JSON.stringify(r));
      if (r.result !== 'denied') return;
      assert.ok(r.errors.some((e) => e.code === 'TENANT_STORE_ALIAS'), r.message);
      assert.match(r.message, row.want);
    });
  }

  const allowed: Array<{ name: string; ns?: string; spec: SecretStore['spec']; path?: string }> = [
    { name: 'a ClusterIP store inside the tenant\'s own prefixes', spec: { provider: 'vault', address: 'https://10.96.0.15:8200', pathPrefixes: ['secret/data/legacy/app/'] } },
    { name: 'a provider the cluster does not scope per tenant (Consul), without prefixes', spec: { provider: 'consul', address: 'http://consul.team.svc:8500' }, path: 'kv/app' },
    { name: 'a namespace without tenant', ns: 'sandbox', spec: { provider: 'vault', address: 'https://10.96.0.15:8200' } },
  ];
  for (const row of allowed) {
    it(`allows: ${row.name}`, () => {
      const r = inject(row.ns ?? 'legacy-dev', row.spec, row.path ?? 'secret/data/legacy/app/db');
      assert.equal(r.result, 'injected', JSON.stringify(r));
    });
  }

  const keys: Array<[string, string | undefined, string]> = [
    ['https://vault.vault.svc:8200', 'x', 'https://vault.vault:8200'],
    ['https://vault.vault.svc.cluster.local:8200/', 'x', 'https://vault.vault:8200'],
    ['https://vault.vault.svc.corp.internal:8200', 'x', 'https://vault.vault:8200'],
    ['https://VAULT.vault.:8200', 'x', 'https://vault.vault:8200'],
    ['https://vault:8200', 'team-a', 'https://vault.team-a:8200'],
    ['http://consul.consul.svc', undefined, 'http://consul.consul:80'],
    ['https://10.96.0.15', 'x', 'https://10.96.0.15:443'],
    ['https://vault.example.com', 'x', 'https://vault.example.com:443'],
  ];
  for (const [address, ns, want] of keys) it(`addressKey ${address} (${ns ?? 'no namespace'})`, () => assert.equal(addressKey(address, ns), want));
});
