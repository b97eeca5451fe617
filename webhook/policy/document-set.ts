/**
 * Builds the immutable DocumentSet from validated documents: frozen documents in read-only maps,
 * so nothing downstream can change the policies in force.
 */
import { emptyDocumentSet, type BulwarkDocument, type ConfigPolicy, type ConfigSchema, type DocumentSet, type SecretStore, type Tenant } from './documents.js';
import { documentLabel, type DocumentError } from './document-error.js';

/** A Map that refuses changes once built. */
export class FrozenMap<K, V> extends Map<K, V> {
  private sealed = false;

  constructor(entries?: Iterable<readonly [K, V]>) {
    super(entries);
    this.sealed = true;
  }

  override set(key: K, value: V): this {
    if (this.sealed) throw new TypeError('the document set is immutable');
    return super.set(key, value);
  }

  override delete(): boolean {
    throw new TypeError('the document set is immutable');
  }

  override clear(): void {
    throw new TypeError('the document set is immutable');
  }
}

/** Freezes an object and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** The identity of a document: kind, namespace and name. */
export function documentKey(d: BulwarkDocument): string {
  return `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
}

/** Reports documents that share kind, namespace and name with an earlier one. */
export function findDuplicates(docs: BulwarkDocument[], sources: string[]): DocumentError[] {
  const seen = new Map<string, string>();
  const errors: DocumentError[] = [];
  docs.forEach((d, i) => {
    const key = documentKey(d);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ source: sources[i] ?? '', object: documentLabel(d), path: '/metadata/name', message: `duplicates a document in ${first}; rename one of them`, code: 'DOCUMENT_DUPLICATE' });
    } else seen.set(key, sources[i] ?? '');
  });
  return errors;
}

/** Indexes validated documents into a frozen DocumentSet (a later document with the same identity wins). */
export function buildDocumentSet(docs: BulwarkDocument[]): DocumentSet {
  const set = emptyDocumentSet();
  const byKey = new Map<string, BulwarkDocument>();
  for (const d of docs) byKey.set(documentKey(d), deepFreeze(d));
  const policies: ConfigPolicy[] = [];
  const schemas: Array<[string, ConfigSchema]> = [];
  const clusterStores: Array<[string, SecretStore]> = [];
  const stores: Array<[string, SecretStore]> = [];
  const tenants: Array<[string, Tenant]> = [];
  for (const d of byKey.values()) {
    switch (d.kind) {
      case 'ConfigPolicy':
        policies.push(d);
        break;
      case 'ConfigSchema':
        schemas.push([d.metadata.name, d]);
        break;
      case 'ClusterSecretStore':
        clusterStores.push([d.metadata.name, d]);
        break;
      case 'SecretStore':
        stores.push([`${d.metadata.namespace ?? ''}/${d.metadata.name}`, d]);
        break;
      case 'Tenant':
        tenants.push([d.metadata.name, d]);
        break;
    }
  }
  set.policies = Object.freeze(policies) as ConfigPolicy[];
  set.schemas = new FrozenMap(schemas);
  set.clusterStores = new FrozenMap(clusterStores);
  set.stores = new FrozenMap(stores);
  set.tenants = new FrozenMap(tenants);
  return Object.freeze(set);
}

/** Counts documents in a set by kind (for the bulwark_policy_documents gauge). */
export function countByKind(set: DocumentSet): Record<string, number> {
  return {
    ConfigPolicy: set.policies.length,
    ConfigSchema: set.schemas.size,
    SecretStore: set.stores.size,
    ClusterSecretStore: set.clusterStores.size,
    Tenant: set.tenants.size,
  };
}
