/**
 * Sharing grants: a tenant grants other tenants read access to named store paths (per store) or
 * ConfigMaps. Grants are explicit and checked both ways: what a grantee reads must lie under a
 * granted path, and a granted path must lie inside the granting tenant's own prefixes (a tenant
 * cannot give away what is not its own). Pure functions of the document set.
 */
import type { DocumentSet } from '../policy/documents.js';
import { isUnderPrefix } from '../../contract/store-path.js';
import { checkStorePath } from './path.js';

/** The built-in store of ConfigMaps and Secrets in the pod's own namespace. */
export const KUBE_STORE = 'kubernetes';

/** One granted path, flattened: who grants it, to whom, in which store. */
export interface GrantedPath {
  from: string;
  to: string[];
  store: string;
  path: string;
  /** The position of the grant in the granting Tenant's spec.grants (for messages). */
  index: number;
  description?: string | undefined;
}

/** The prefixes a tenant owns in a store ([""] when the store is unrestricted; [] when the tenant may not use it). */
export function ownPrefixes(docs: DocumentSet, tenant: string, store: string): string[] {
  const doc = docs.tenants.get(tenant);
  const entry = doc?.spec.stores?.find((s) => s.name === store);
  if (doc?.spec.stores && !entry) return [];
  const raw = entry?.pathPrefixes ?? docs.clusterStores.get(store)?.spec.pathPrefixes ?? [];
  if (raw.length === 0) return [''];
  return raw.filter((p) => !p.includes('{namespace}')).map((p) => p.replaceAll('{tenant}', tenant));
}

/** Every path a tenant's grants share, with {tenant} expanded to the granting tenant; ConfigMaps become kubernetes paths. */
export function grantsFrom(docs: DocumentSet, from: string): GrantedPath[] {
  const out: GrantedPath[] = [];
  (docs.tenants.get(from)?.spec.grants ?? []).forEach((g, index) => {
    const base = { from, to: [...g.to], index, description: g.description };
    for (const p of g.paths ?? []) out.push({ ...base, store: g.store ?? KUBE_STORE, path: p.replaceAll('{tenant}', from) });
    for (const name of g.configMaps ?? []) out.push({ ...base, store: KUBE_STORE, path: `configmap/${name}` });
  });
  return out;
}

/** Every grant other tenants give to this tenant. */
export function grantsTo(docs: DocumentSet, tenant: string): GrantedPath[] {
  const out: GrantedPath[] = [];
  for (const from of [...docs.tenants.keys()].sort()) {
    if (from === tenant) continue;
    for (const g of grantsFrom(docs, from)) if (g.to.includes(tenant)) out.push(g);
  }
  return out;
}

/** What is wrong with one granted path (undefined when it is sound). */
export function grantProblem(docs: DocumentSet, g: GrantedPath): string | undefined {
  const where = `grant #${g.index + 1} of tenant ${g.from}`;
  if (g.to.includes(g.from)) return `${where} names its own tenant in "to"; a tenant already reads its own paths`;
  const check = checkStorePath(g.path.endsWith('/') ? g.path.slice(0, -1) : g.path); // a trailing "/" marks a sub-tree
  if ('problem' in check) return `${where} path ${JSON.stringify(g.path)}: ${check.problem}`;
  if (g.store === KUBE_STORE) return undefined;
  const own = ownPrefixes(docs, g.from, g.store);
  if (!own.some((p) => isUnderPrefix(g.path, p))) {
    return `${where} shares ${JSON.stringify(g.path)} in store ${g.store}, outside tenant ${g.from}'s own prefixes (${own.join(', ') || 'none'}); a tenant can only share its own paths`;
  }
  return undefined;
}

/** Grants to a tenant in one store that are sound (invalid grants never widen access). */
export function validGrantsTo(docs: DocumentSet, tenant: string, store: string): GrantedPath[] {
  return grantsTo(docs, tenant).filter((g) => g.store === store && grantProblem(docs, g) === undefined);
}

/** The sound grant that lets a tenant read a path in a store, if any. */
export function coveringGrant(docs: DocumentSet, tenant: string, store: string, path: string): GrantedPath | undefined {
  return validGrantsTo(docs, tenant, store).find((g) => isUnderPrefix(path, g.path));
}

/** The tenant whose own prefixes hold a path in a store (other than the reader), when exactly that is why it was refused. */
export function pathOwner(docs: DocumentSet, reader: string | undefined, store: string, path: string): string | undefined {
  for (const t of [...docs.tenants.keys()].sort()) {
    if (t === reader) continue;
    if (ownPrefixes(docs, t, store).some((p) => p !== '' && isUnderPrefix(path, p))) return t;
  }
  return undefined;
}

/** The sound grant from an owner tenant that lets a tenant read a ConfigMap or Secret labelled for the owner. */
export function kubeObjectGrant(docs: DocumentSet, owner: string, tenant: string | undefined, kind: 'ConfigMap' | 'Secret', name: string): GrantedPath | undefined {
  if (!tenant) return undefined;
  const path = `${kind === 'Secret' ? 'secret' : 'configmap'}/${name}`;
  return grantsFrom(docs, owner).find((g) => g.store === KUBE_STORE && g.to.includes(tenant) && g.path === path && grantProblem(docs, g) === undefined);
}
