/**
 * The catalogue of cross-tenant attempts: each row is one distinct way a tenant (or someone acting
 * in its namespace) tries to reach another tenant's configuration or secrets, at admission
 * (injection and validation) or at fetch time in the sidecar. Every attempt must be refused with
 * the code and message that tell the user what happened, and admission denials name the tenant.
 */
import assert from 'node:assert/strict';
import { enforcePathScope } from '../../../sidecar/core/path-scope.js';
import { Fetcher } from '../../../sidecar/core/fetcher.js';
import { errorCode } from '../../../sidecar/errors.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import type { AdmissionRequest } from '../../../webhook/admission/types.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { createTenancyHandler, tenancyViolations } from '../../../webhook/tenancy/handler.js';
import { DEFAULT_CLUSTER_LABEL_ADMINS } from '../../../webhook/tenancy/tenants.js';
import { configMap, injectCtx, namespace, pod, request, tenancyDocs, tenancyState, tenant, USERS } from './fixtures.js';

interface Outcome {
  denied: boolean;
  codes: string[];
  message: string;
}

function viaInjection(ns: string, annotations: Record<string, string>): Outcome {
  const r = injectPod(pod(annotations), injectCtx(ns));
  if (r.result !== 'denied') return { denied: false, codes: [], message: r.result };
  return { denied: true, codes: r.errors.map((e) => e.code), message: r.message };
}

async function viaHandler(req: AdmissionRequest): Promise<Outcome> {
  const docs = tenancyDocs();
  const state = tenancyState();
  const d = await createTenancyHandler({ docs: () => docs, state, ownNamespace: 'bulwark-system' }).handle(req);
  const codes = tenancyViolations(req, docs, state, 'bulwark-system', DEFAULT_CLUSTER_LABEL_ADMINS).map((v) => v.code);
  return { denied: !d.allowed, codes, message: d.allowed ? 'allowed' : (d.message ?? '') };
}

function viaSidecar(path: string, prefixes = ['secret/data/shop/']): Outcome {
  try {
    enforcePathScope(path, prefixes, 'vault');
    return { denied: false, codes: [], message: 'allowed' };
  } catch (err) {
    return { denied: true, codes: [errorCode(err)], message: (err as Error).message };
  }
}

/** A spec as the webhook built it for shop, with one source hand-edited. */
function tamperedSpec(path: string): SidecarSpec {
  return {
    version: 1,
    pod: { namespace: 'shop-dev', tenant: 'shop' },
    mountPath: '/bulwark',
    files: [{ name: 'db', kind: 'secret', sources: [{ store: 'vault', path }], format: 'raw', mode: 0o400 }],
    stores: { vault: { provider: 'vault', address: 'https://vault.vault.svc:8200', pathPrefixes: ['secret/data/shop/'] } },
    reload: [],
    refreshSeconds: 60,
    onFailure: 'keep-last-good',
    initOnly: false,
    debounceMs: 100,
  };
}

async function viaFetcher(path: string): Promise<Outcome> {
  let reads = 0;
  const f = new Fetcher(tamperedSpec(path), new SidecarMetrics(), async () => ({ read: async () => ((reads += 1), { value: 'x', version: '1' }) }));
  try {
    await f.fetch({ store: 'vault', path });
    return { denied: false, codes: [], message: 'allowed' };
  } catch (err) {
    assert.equal(reads, 0, 'the provider must not be called for an out-of-scope path');
    return { denied: true, codes: [errorCode(err)], message: (err as Error).message };
  }
}

function podWithSpec(spec: unknown): AdmissionRequest {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'handmade', namespace: 'shop-dev' }, spec: { containers: [{ name: 'app', image: 'app:1' }, { name: 'helper', image: 'bulwark-sidecar:1', env: [{ name: 'BULWARK_SPEC', value: JSON.stringify(spec) }] }] } };
  return request('Pod', 'CREATE', p);
}

const SECRET = 'bulwark.dev/secret.db';
const CONFIG = 'bulwark.dev/config.app.json';

interface Attempt {
  name: string;
  attempt: () => Outcome | Promise<Outcome>;
  code: string;
  want: RegExp;
  /** The tenant the message must name (null: fetch-time refusals, which are not admission denials). */
  tenant: string | null;
}

const ATTEMPTS: Attempt[] = [
  // Path tricks in pod annotations (refused before any prefix comparison).
  { name: 'path traversal with ..', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop/../payments/db' }), code: 'ANNOTATION_INVALID', want: /found "\.\.", which would climb out of a prefix/, tenant: 'shop' },
  { name: 'percent-encoded separator', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop%2F..%2Fpayments/db' }), code: 'ANNOTATION_INVALID', want: /percent-encoded sequence "%2F"/, tenant: 'shop' },
  { name: 'percent-encoded dots', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop/%2e%2e/payments/db' }), code: 'ANNOTATION_INVALID', want: /percent-encoded sequence "%2e"/, tenant: 'shop' },
  { name: 'double-encoded separator', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop/%252F/payments' }), code: 'ANNOTATION_INVALID', want: /percent-encoded sequence "%25"/, tenant: 'shop' },
  { name: 'doubled separator', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop//payments/db' }), code: 'ANNOTATION_INVALID', want: /doubled separator "\/\/"/, tenant: 'shop' },
  { name: 'backslash separator', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop\\..\\payments' }), code: 'ANNOTATION_INVALID', want: /backslash/, tenant: 'shop' },
  { name: 'fullwidth solidus (NFKC)', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shop\uff0f..\uff0fpayments' }), code: 'ANNOTATION_INVALID', want: /U\+FF0F which Unicode normalises \(NFKC\) to "\/"/, tenant: 'shop' },
  { name: 'Cyrillic look-alike letter', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/\u0455hop/db' }), code: 'ANNOTATION_INVALID', want: /non-ASCII character U\+0455; store paths are ASCII only/, tenant: 'shop' },
  { name: 'letter-case variant of the prefix', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/SHOP/db' }), code: 'TENANT_PATH_FORBIDDEN', want: /differs from tenant shop's prefix "secret\/data\/shop\/" only in letter case/, tenant: 'shop' },
  // Another tenant's paths and stores.
  { name: "another tenant's path (no grant)", attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/platform/db' }), code: 'STORE_FORBIDDEN', want: /belongs to tenant platform, which grants tenant shop nothing in this store/, tenant: 'shop' },
  { name: 'sibling that shares a string prefix', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/shopping/db' }), code: 'STORE_FORBIDDEN', want: /outside the prefixes tenant shop may read \(secret\/data\/shop\/, secret\/data\/payments\/public\/\)/, tenant: 'shop' },
  { name: 'store not granted to the tenant', attempt: () => viaInjection('shop-dev', { [SECRET]: 'aws:/shop/db' }), code: 'STORE_FORBIDDEN', want: /tenant shop may not use store "aws"; use one of: vault/, tenant: 'shop' },
  { name: 'grant overreach (private sibling of a shared path)', attempt: () => viaInjection('shop-dev', { [SECRET]: 'vault:secret/data/payments/private/db' }), code: 'TENANT_GRANT_OVERREACH', want: /belongs to tenant payments, whose grants to tenant shop cover only secret\/data\/payments\/public\//, tenant: 'shop' },
  { name: 'store alias by name (namespaced "vault" without prefixes)', attempt: () => viaInjection('legacy-dev', { [SECRET]: 'vault:secret/data/shop/db' }), code: 'TENANT_STORE_ALIAS', want: /SecretStore legacy-dev\/vault aliases ClusterSecretStore vault \(same name\)/, tenant: 'legacy' },
  { name: 'store alias by address (case and trailing slash changed)', attempt: () => viaInjection('legacy-dev', { [SECRET]: 'myvault:secret/data/shop/db' }), code: 'TENANT_STORE_ALIAS', want: /SecretStore legacy-dev\/myvault aliases ClusterSecretStore vault \(same vault address\)/, tenant: 'legacy' },
  // ConfigMaps and Secrets labelled for another tenant.
  { name: "pod reads a ConfigMap labelled for another tenant", attempt: () => viaInjection('shop-dev', { [CONFIG]: 'payments-routing' }), code: 'TENANT_LABEL_FOREIGN', want: /ConfigMap shop-dev\/payments-routing is labelled bulwark\.dev\/tenant=payments; tenant shop may read it only under a grant from tenant payments/, tenant: 'shop' },
  { name: "pod reads a platform ConfigMap outside the grant", attempt: () => viaInjection('shop-dev', { [CONFIG]: 'platform-internal' }), code: 'TENANT_GRANT_OVERREACH', want: /labelled for tenant platform, whose grants to tenant shop cover only configmap\/platform-ca, configmap\/platform-endpoints/, tenant: 'shop' },
  { name: "pod reads a platform Secret (grants cover ConfigMaps only)", attempt: () => viaInjection('shop-dev', { [SECRET]: 'kubernetes:secret/platform-token' }), code: 'TENANT_GRANT_OVERREACH', want: /Secret shop-dev\/platform-token is labelled for tenant platform/, tenant: 'shop' },
  { name: 'label spoofing: ConfigMap labelled for another tenant', attempt: () => viaHandler(request('ConfigMap', 'CREATE', configMap('shop-dev', 'routing', { 'bulwark.dev/tenant': 'payments' }))), code: 'TENANT_LABEL_FOREIGN', want: /ConfigMap shop-dev\/routing is labelled bulwark\.dev\/tenant=payments but namespace shop-dev belongs to tenant shop; remove the label or set it to shop/, tenant: 'shop' },
  { name: "label spoofing: a platform-shared name placed by a non-platform user", attempt: () => viaHandler(request('ConfigMap', 'CREATE', configMap('shop-dev', 'platform-endpoints', { 'bulwark.dev/tenant': 'platform' }), { user: USERS.shopAdmin })), code: 'TENANT_LABEL_FOREIGN', want: /tenant platform shares it with shop, but only its label admins may place it \(group platform-admins, group system:masters\)/, tenant: 'shop' },
  { name: 'label spoofing on a Secret via UPDATE', attempt: () => viaHandler(request('Secret', 'UPDATE', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop-dev', name: 's', labels: { 'bulwark.dev/tenant': 'platform' } } }, { oldObject: { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop-dev', name: 's' } } })), code: 'TENANT_LABEL_FOREIGN', want: /Secret shop-dev\/s is labelled bulwark\.dev\/tenant=platform/, tenant: 'shop' },
  // Namespace relabelling.
  { name: 'namespace moved to another tenant by its own admin', attempt: () => viaHandler(request('Namespace', 'UPDATE', namespace('shop-dev', { 'bulwark.dev/tenant': 'payments', 'bulwark.dev/environment': 'dev' }), { oldObject: namespace('shop-dev', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'dev' }), user: USERS.shopAdmin })), code: 'TENANT_RELABEL_FORBIDDEN', want: /namespace shop-dev claims tenant payments, which does not list it in spec\.namespaces, and user sam may not add namespaces to it; add shop-dev to spec\.namespaces of Tenant payments or ask one of: user alice@payments/, tenant: 'payments' },
  { name: 'namespace taken out of its tenant by an outsider', attempt: () => viaHandler(request('Namespace', 'UPDATE', namespace('sneaky', { 'bulwark.dev/tenant': 'legacy' }), { oldObject: namespace('sneaky', { 'bulwark.dev/tenant': 'shop' }) })), code: 'TENANT_RELABEL_FORBIDDEN', want: /namespace sneaky belongs to tenant shop and user mallory may not move it to tenant legacy/, tenant: 'shop' },
  { name: 'environment downgraded (prod to dev) by a non-admin', attempt: () => viaHandler(request('Namespace', 'UPDATE', namespace('shop-prod', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'dev' }), { oldObject: namespace('shop-prod', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'prod' }) })), code: 'TENANT_RELABEL_FORBIDDEN', want: /user mallory may not change bulwark\.dev\/environment of namespace shop-prod \(tenant shop\) from prod to dev/, tenant: 'shop' },
  { name: 'new namespace claiming a tenant that does not list it', attempt: () => viaHandler(request('Namespace', 'CREATE', namespace('evil', { 'bulwark.dev/tenant': 'payments' }))), code: 'TENANT_RELABEL_FORBIDDEN', want: /namespace evil claims tenant payments, which does not list it in spec\.namespaces/, tenant: 'payments' },
  { name: 'namespace with an environment its tenant does not have', attempt: () => viaHandler(request('Namespace', 'CREATE', namespace('shop-staging', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'qa' }))), code: 'TENANT_ENVIRONMENT_FORBIDDEN', want: /sets bulwark\.dev\/environment=qa, but tenant shop only has environments dev, staging, prod/, tenant: 'shop' },
  // Grants of what a tenant does not own.
  { name: "Tenant granting another tenant's path", attempt: () => viaHandler({ ...request('Tenant', 'CREATE', tenant('evil', { stores: [{ name: 'vault' }], grants: [{ to: ['shop'], store: 'vault', paths: ['secret/data/payments/'] }] }) as never), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: 'Tenant' } }), code: 'TENANT_GRANT_OVERREACH', want: /grant #1 of tenant evil shares "secret\/data\/payments\/" in store vault, outside tenant evil's own prefixes \(secret\/data\/evil\/\)/, tenant: 'evil' },
  { name: 'Tenant listing a namespace of another tenant', attempt: () => viaHandler({ ...request('Tenant', 'CREATE', tenant('evil', { namespaces: ['payments-prod'] }) as never), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: 'Tenant' } }), code: 'TENANT_RELABEL_FORBIDDEN', want: /Tenant evil lists namespace payments-prod, which Tenant payments already lists/, tenant: 'evil' },
  // Spec tampering: at admission, and at fetch time in the sidecar.
  { name: 'hand-made sidecar spec with widened prefixes', attempt: () => viaHandler(podWithSpec({ ...tamperedSpec('secret/data/payments/db'), stores: { vault: { provider: 'vault', address: 'https://vault.vault.svc:8200' } } })), code: 'TENANT_SPEC_TAMPERED', want: /store vault is not the one Bulwark resolves \(path prefixes \[\] instead of \["secret\/data\/shop\/","secret\/data\/payments\/public\/"\]\)/, tenant: 'shop' },
  { name: 'hand-made sidecar spec claiming another tenant', attempt: () => viaHandler(podWithSpec({ ...tamperedSpec('secret/data/payments/db'), pod: { namespace: 'shop-dev', tenant: 'payments' } })), code: 'TENANT_SPEC_TAMPERED', want: /pod\.tenant is "payments", not "shop"/, tenant: 'shop' },
  { name: 'sidecar: tampered source path with ..', attempt: () => viaFetcher('secret/data/shop/../payments/db'), code: 'OUT_OF_SCOPE', want: /contains a "\." or "\.\." segment/, tenant: null },
  { name: 'sidecar: tampered source path of another tenant', attempt: () => viaFetcher('secret/data/payments/db'), code: 'OUT_OF_SCOPE', want: /outside the tenant's allowed prefixes \(secret\/data\/shop\/\)/, tenant: null },
  { name: 'sidecar: encoded separator', attempt: () => viaSidecar('secret/data/shop%2f..%2fpayments'), code: 'OUT_OF_SCOPE', want: /percent-encoded separator/, tenant: null },
  { name: 'sidecar: fullwidth solidus', attempt: () => viaSidecar('secret/data/shop\uff0f..\uff0fpayments'), code: 'OUT_OF_SCOPE', want: /normalise to other characters/, tenant: null },
];

describe('tenancy: catalogue of cross-tenant attempts', () => {
  it('holds at least 20 distinct attempts', () => {
    assert.ok(ATTEMPTS.length >= 20, `${ATTEMPTS.length} attempts`);
    assert.equal(new Set(ATTEMPTS.map((a) => a.name)).size, ATTEMPTS.length);
  });
  for (const a of ATTEMPTS) {
    it(`refuses: ${a.name}`, async () => {
      const got = await a.attempt();
      assert.equal(got.denied, true, `allowed: ${got.message}`);
      assert.ok(got.codes.includes(a.code), `codes ${got.codes.join(',')} lack ${a.code}: ${got.message}`);
      assert.match(got.message, a.want);
      if (a.tenant) assert.match(got.message, new RegExp(`tenant ${a.tenant}\\b`));
    });
  }
});
