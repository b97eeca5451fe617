/**
 * Shared fixtures for the tenancy tests: three tenants (shop, payments sharing a Vault sub-tree with
 * shop, platform sharing two ConfigMaps), a legacy tenant without a store list, the cluster state
 * holding their namespaces, admission request and pod builders.
 */
import type { AdmissionRequest, KubeObject, UserInfo } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { resolveOptions } from '../../../webhook/config/options.js';
import type { InjectContext } from '../../../webhook/inject/context.js';
import { contextFromState } from '../../../webhook/inject/context.js';
import { BULWARK_API_VERSION, emptyDocumentSet, type DocumentSet, type SecretStore, type Tenant } from '../../../webhook/policy/documents.js';

/** Builds a Tenant document. */
export function tenant(name: string, spec: Tenant['spec']): Tenant {
  return { apiVersion: BULWARK_API_VERSION, kind: 'Tenant', metadata: { name }, spec };
}

/** A store document. */
export function store(name: string, spec: SecretStore['spec'], namespace?: string): SecretStore {
  return { apiVersion: BULWARK_API_VERSION, kind: namespace ? 'SecretStore' : 'ClusterSecretStore', metadata: namespace ? { name, namespace } : { name }, spec };
}

/** The documents of the tenancy tests. */
export function tenancyDocs(over: { shopQuotas?: Tenant['spec']['quotas'] } = {}): DocumentSet {
  const d = emptyDocumentSet();
  d.clusterStores.set('vault', store('vault', { provider: 'vault', address: 'https://vault.vault.svc:8200', kvVersion: 2, pathPrefixes: ['secret/data/{tenant}/'] }));
  d.clusterStores.set('aws', store('aws', { provider: 'aws-ssm', region: 'eu-west-1', pathPrefixes: ['/{tenant}/'] }));
  d.stores.set('legacy-dev/vault', store('vault', { provider: 'vault', address: 'https://vault.vault.svc:8200' }, 'legacy-dev'));
  d.stores.set('legacy-dev/myvault', store('myvault', { provider: 'vault', address: 'https://VAULT.vault.svc:8200/' }, 'legacy-dev'));
  d.stores.set('legacy-dev/scoped', store('scoped', { provider: 'vault', address: 'https://vault.vault.svc:8200', pathPrefixes: ['secret/data/legacy/app/'] }, 'legacy-dev'));
  d.tenants.set(
    'shop',
    tenant('shop', {
      namespaces: ['shop-dev', 'shop-staging', 'shop-prod'],
      environments: ['dev', 'staging', 'prod'],
      stores: [{ name: 'vault', pathPrefixes: ['secret/data/{tenant}/'] }],
      quotas: over.shopQuotas ?? { configMaps: 5, secrets: 3, configBytes: 100, injectedPods: 2, fetchesPerMinute: 60 },
      labelAdmins: { groups: ['shop-admins'] },
    }),
  );
  d.tenants.set(
    'payments',
    tenant('payments', {
      namespaces: ['payments-dev', 'payments-prod'],
      stores: [{ name: 'vault' }],
      grants: [{ to: ['shop'], store: 'vault', paths: ['secret/data/{tenant}/public/'] }],
      labelAdmins: { users: ['alice@payments'] },
    }),
  );
  d.tenants.set(
    'platform',
    tenant('platform', {
      namespaces: ['platform-system'],
      stores: [{ name: 'vault' }],
      grants: [{ to: ['shop', 'payments'], configMaps: ['platform-ca', 'platform-endpoints'] }],
      labelAdmins: { groups: ['platform-admins'] },
    }),
  );
  d.tenants.set('legacy', tenant('legacy', { namespaces: ['legacy-dev'] }));
  return d;
}

/** The cluster state: tenant namespaces, one untenanted namespace, and shared/foreign objects in shop-dev. */
export function tenancyState(): MemoryClusterState {
  const s = new MemoryClusterState({ authoritative: true, serverVersion: { major: 1, minor: 33 } });
  const ns = (name: string, labels: Record<string, string>) => s.upsert({ kind: 'Namespace', metadata: { name, labels } });
  ns('shop-dev', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'dev' });
  ns('shop-prod', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'prod' });
  ns('payments-prod', { 'bulwark.dev/tenant': 'payments', 'bulwark.dev/environment': 'prod' });
  ns('platform-system', { 'bulwark.dev/tenant': 'platform' });
  ns('legacy-dev', { 'bulwark.dev/tenant': 'legacy' });
  ns('sandbox', {});
  const cm = (namespace: string, name: string, labels: Record<string, string>, data: Record<string, string> = { a: 'b' }) => s.upsert({ kind: 'ConfigMap', metadata: { namespace, name, labels }, data });
  cm('shop-dev', 'app-config', {});
  cm('shop-dev', 'platform-ca', { 'bulwark.dev/tenant': 'platform' });
  cm('shop-dev', 'platform-internal', { 'bulwark.dev/tenant': 'platform' });
  cm('shop-dev', 'payments-routing', { 'bulwark.dev/tenant': 'payments' });
  s.upsert({ kind: 'Secret', metadata: { namespace: 'shop-dev', name: 'platform-token', labels: { 'bulwark.dev/tenant': 'platform' } }, data: { t: 'eA==' } });
  return s;
}

/** An InjectContext for a namespace of the tenancy state. */
export function injectCtx(namespace: string, docs = tenancyDocs(), state = tenancyState()): InjectContext {
  return contextFromState(state, namespace, resolveOptions({}, {}), docs);
}

/** A pod opting in with the given bulwark annotations. */
export function pod(annotations: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', annotations: { 'bulwark.dev/inject': 'true', ...annotations } }, spec: { containers: [{ name: 'app', image: 'app:1' }] }, ...extra };
}

/** An admission request for a core/v1 object. */
export function request(kind: string, operation: 'CREATE' | 'UPDATE', object: KubeObject, opts: { oldObject?: KubeObject; user?: UserInfo; namespace?: string } = {}): AdmissionRequest {
  const namespace = opts.namespace ?? object.metadata?.namespace;
  const r: AdmissionRequest = {
    uid: 'uid-1',
    kind: { group: '', version: 'v1', kind },
    operation,
    userInfo: opts.user ?? { username: 'mallory', groups: ['system:authenticated'] },
    object,
    name: object.metadata?.name ?? '',
  };
  if (namespace) r.namespace = namespace;
  if (opts.oldObject) r.oldObject = opts.oldObject;
  return r;
}

/** A Namespace object. */
export function namespace(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** A ConfigMap object. */
export function configMap(ns: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name, labels }, data };
}

/** Users. */
export const USERS = {
  mallory: { username: 'mallory', groups: ['system:authenticated'] },
  shopAdmin: { username: 'sam', groups: ['shop-admins', 'system:authenticated'] },
  paymentsAdmin: { username: 'alice@payments', groups: ['system:authenticated'] },
  platformAdmin: { username: 'pat', groups: ['platform-admins'] },
  clusterAdmin: { username: 'root', groups: ['system:masters'] },
} satisfies Record<string, UserInfo>;
