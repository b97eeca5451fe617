/**
 * Resolves the stores a pod's references name against the SecretStore / ClusterSecretStore documents
 * and the tenant's grants, and builds the credential-free StoreSpec the sidecar receives.
 */
import { MAX_PATH_PREFIXES } from '../../contract/store-connection.js';
import type { StoreSpec } from '../../sidecar/spec/types.js';
import { resolveStore, type DocumentSet, type SecretStore, type StoreVolume, type Tenant } from '../policy/documents.js';
import { fieldError, quote, type FieldError } from './field-error.js';
import { KUBERNETES_STORE } from './references.js';
import { validGrantsTo } from '../tenancy/grants.js';
import { isUnderPrefix } from '../../contract/store-path.js';

/** Who is asking: the pod's namespace and its tenant (document and name), if any. */
export interface StoreScope {
  namespace: string;
  tenant?: string | undefined;
  tenantDoc?: Tenant | undefined;
}

/** The StoreSpec of the built-in kubernetes store (the pod's own namespace, with its service account). */
export const KUBERNETES_STORE_SPEC: Readonly<StoreSpec> = Object.freeze({ provider: 'kubernetes' });

/** Lists the store names a pod in this namespace can use, for messages. */
export function availableStores(docs: DocumentSet, namespace: string): string[] {
  const names = new Set<string>([KUBERNETES_STORE, ...docs.clusterStores.keys()]);
  for (const key of docs.stores.keys()) if (key.startsWith(`${namespace}/`)) names.add(key.slice(namespace.length + 1));
  return [...names].sort();
}

/** Expands {tenant} and {namespace} in a prefix; undefined when the prefix needs a tenant and there is none. */
export function expandPrefix(prefix: string, scope: StoreScope): string | undefined {
  if (prefix.includes('{tenant}') && !scope.tenant) return undefined;
  return prefix.replaceAll('{tenant}', scope.tenant ?? '').replaceAll('{namespace}', scope.namespace);
}


/** The result of resolving one store for a pod: the sidecar's view, and the volumes its files come from. */
export type StoreResolution = { spec: StoreSpec; volumes: StoreVolume[] } | { error: FieldError };

/**
 * Resolves a store name for a pod: the built-in kubernetes store, else a namespaced SecretStore, else a
 * ClusterSecretStore; checks the tenant's grant (its own stores, or sharing grants from other tenants);
 * refuses a namespaced store that aliases a ClusterSecretStore without its prefixes; computes the path
 * prefixes: the tenant's own, then the paths other tenants granted it in this store.
 */
export function resolveStoreFor(docs: DocumentSet, scope: StoreScope, name: string, annotation: string): StoreResolution {
  if (name === KUBERNETES_STORE) return { spec: { ...KUBERNETES_STORE_SPEC }, volumes: [] };
  const doc = resolveStore(docs, scope.namespace, name);
  if (!doc) {
    const known = availableStores(docs, scope.namespace).join(', ');
    return {
      error: fieldError('STORE_UNKNOWN', annotation, `store ${quote(name)} is not defined for namespace ${scope.namespace}; define a SecretStore or ClusterSecretStore named ${name}, or use one of: ${known}`),
    };
  }
  const granted = scope.tenantDoc?.spec.stores;
  const grant = granted?.find((s) => s.name === name);
  const shared = scope.tenant && doc.kind === 'ClusterSecretStore' ? validGrantsTo(docs, scope.tenant, name).map((g) => g.path) : [];
  if (granted && !grant && shared.length === 0) {
    return {
      error: fieldError('STORE_FORBIDDEN', annotation, `tenant ${scope.tenant ?? scope.tenantDoc!.metadata.name} may not use store ${quote(name)}; use one of: ${granted.map((s) => s.name).join(', ') || '(none granted)'}`),
    };
  }
  const raw = granted && !grant ? [] : (grant?.pathPrefixes ?? doc.spec.pathPrefixes ?? []);
  const own: string[] = [];
  for (const p of raw) {
    const e = expandPrefix(p, scope);
    if (e === undefined) {
      return {
        error: fieldError('STORE_FORBIDDEN', annotation, `store ${quote(name)} scopes paths per tenant but namespace ${scope.namespace} has no tenant; label the namespace bulwark.dev/tenant=<tenant>`),
      };
    }
    own.push(e);
  }
  const restricted = own.length > 0 || (granted !== undefined && !grant);
  const prefixes = restricted ? [...new Set([...own, ...shared])] : [];
  if (prefixes.length > MAX_PATH_PREFIXES) {
    const msg = `store ${quote(name)} gives this pod ${prefixes.length} path prefixes (its own and those other tenants granted), more than the ${MAX_PATH_PREFIXES} the sidecar takes; grant paths under fewer, wider prefixes`;
    return { error: fieldError('STORE_FORBIDDEN', annotation, msg) };
  }
  if (doc.kind === 'SecretStore' && scope.tenant) {
    const alias = storeAlias(docs, doc, prefixes, scope);
    if (alias) return { error: fieldError('TENANT_STORE_ALIAS', annotation, alias) };
  }
  const spec = buildStoreSpec(doc, prefixes);
  if (spec.auth?.role !== undefined) {
    const role = expandPrefix(spec.auth.role, scope);
    if (role === undefined) {
      return {
        error: fieldError('STORE_FORBIDDEN', annotation, `store ${quote(name)} logs in with a role per tenant (${quote(spec.auth.role)}) but namespace ${scope.namespace} has no tenant; label the namespace bulwark.dev/tenant=<tenant>`),
      };
    }
    spec.auth.role = role;
  }
  return { spec, volumes: doc.spec.volumes ?? [] };
}

/**
 * Normalises a store address for comparison: scheme, host and port (default ports filled), the host
 * lower-cased without a trailing dot, and in-cluster service names in one spelling: `name.ns.svc`,
 * `name.ns.svc.<cluster domain>` and `name.ns` become `name.ns`, and a bare `name` (resolved in the
 * pod's namespace) becomes `name.<namespace>`. Other spellings (a ClusterIP, an external name) cannot
 * be recognised; the prefix rule of storeAlias does not depend on them.
 */
export function addressKey(address: string | undefined, namespace?: string): string | undefined {
  if (!address) return undefined;
  try {
    const u = new URL(address.trim());
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.protocol}//${canonicalHost(u.hostname, namespace)}:${port}`;
  } catch {
    return address.trim().toLowerCase().replace(/\/+$/, '');
  }
}

function canonicalHost(hostname: string, namespace: string | undefined): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  const labels = host.split('.');
  if (labels.length >= 3 && labels[2] === 'svc') return `${labels[0]}.${labels[1]}`;
  if (labels.length === 1 && namespace) return `${host}.${namespace}`;
  return host;
}

/**
 * The path prefixes the cluster reserves for a tenant in one provider: for every prefix-scoped
 * ClusterSecretStore of that provider, the prefixes the Tenant grants in it, else the store's own
 * prefixes, expanded for the tenant.
 */
export function tenantOwnPrefixes(docs: DocumentSet, provider: string, scope: StoreScope): string[] {
  const out = new Set<string>();
  for (const cs of docs.clusterStores.values()) {
    if (cs.spec.provider !== provider || !(cs.spec.pathPrefixes ?? []).length) continue;
    const grant = scope.tenantDoc?.spec.stores?.find((g) => g.name === cs.metadata.name);
    for (const p of grant?.pathPrefixes ?? cs.spec.pathPrefixes ?? []) {
      const e = expandPrefix(p, scope);
      if (e !== undefined) out.add(e);
    }
  }
  return [...out];
}

/**
 * Explains why a namespaced SecretStore used by a tenant is refused, undefined when it is not:
 * it aliases a prefix-scoped ClusterSecretStore (same name, or same provider and canonical address)
 * without staying inside the tenant's prefixes; or the cluster scopes that provider per tenant and
 * the store does not declare pathPrefixes inside the tenant's own, so that aliasing by any other
 * spelling of the address (a ClusterIP, an external name) cannot widen what the tenant reads.
 */
export function storeAlias(docs: DocumentSet, doc: SecretStore, prefixes: string[], scope: StoreScope): string | undefined {
  const key = addressKey(doc.spec.address, scope.namespace);
  for (const cs of docs.clusterStores.values()) {
    const scoped = (cs.spec.pathPrefixes ?? []).map((p) => expandPrefix(p, scope)).filter((p): p is string => p !== undefined);
    if (scoped.length === 0) continue;
    const same = cs.metadata.name === doc.metadata.name || (cs.spec.provider === doc.spec.provider && key !== undefined && addressKey(cs.spec.address, scope.namespace) === key);
    if (!same) continue;
    if (prefixes.length > 0 && prefixes.every((p) => scoped.some((c) => isUnderPrefix(p, c)))) continue;
    return (
      `SecretStore ${scope.namespace}/${doc.metadata.name} aliases ClusterSecretStore ${cs.metadata.name} (same ${cs.metadata.name === doc.metadata.name ? 'name' : `${cs.spec.provider} address`}) ` +
      `without staying inside tenant ${scope.tenant}'s prefixes (${scoped.join(', ')}); use the ClusterSecretStore, or give the SecretStore pathPrefixes inside those`
    );
  }
  const own = tenantOwnPrefixes(docs, doc.spec.provider, scope);
  if (own.length === 0 || (prefixes.length > 0 && prefixes.every((p) => own.some((c) => isUnderPrefix(p, c))))) return undefined;
  return (
    `SecretStore ${scope.namespace}/${doc.metadata.name} (${doc.spec.provider}) ${prefixes.length ? `declares pathPrefixes ${prefixes.join(', ')}, outside` : 'declares no pathPrefixes inside'} tenant ${scope.tenant}'s own prefixes (${own.join(', ')}); ` +
    `the cluster scopes ${doc.spec.provider} stores per tenant, so a namespaced one must stay inside them: set spec.pathPrefixes inside ${own.join(', ')}, or use the ClusterSecretStore`
  );
}

/** Builds the StoreSpec from a store document's spec: a whitelist of fields; auth carries file paths only. */
export function buildStoreSpec(doc: SecretStore, pathPrefixes: string[]): StoreSpec {
  const s = doc.spec;
  const out: StoreSpec = { provider: s.provider };
  if (s.address !== undefined) out.address = s.address;
  if (s.region !== undefined) out.region = s.region;
  if (s.project !== undefined) out.project = s.project;
  if (s.namespace !== undefined) out.namespace = s.namespace;
  if (s.kvVersion !== undefined) out.kvVersion = s.kvVersion;
  if (s.caFile !== undefined) out.caFile = s.caFile;
  if (s.auth) {
    const a: NonNullable<StoreSpec['auth']> = { method: s.auth.method };
    if (s.auth.role !== undefined) a.role = s.auth.role;
    if (s.auth.mountPath !== undefined) a.mountPath = s.auth.mountPath;
    if (s.auth.tokenFile !== undefined) a.tokenFile = s.auth.tokenFile;
    if (s.auth.roleIdFile !== undefined) a.roleIdFile = s.auth.roleIdFile;
    if (s.auth.secretIdFile !== undefined) a.secretIdFile = s.auth.secretIdFile;
    out.auth = a;
  }
  if (pathPrefixes.length) out.pathPrefixes = pathPrefixes;
  return out;
}
