/**
 * Checks a parsed injection config against the documents in force: every store exists and is granted
 * to the pod's tenant, every path lies under the tenant's prefixes, every ConfigSchema exists. Returns
 * the resolved stores and schemas for the spec builder, and every problem at once.
 */
import { isUnderPrefix } from '../../contract/store-path.js';
import type { StoreSpec } from '../../sidecar/spec/types.js';
import type { ClusterState } from '../cluster/types.js';
import type { DocumentSet, StoreVolume } from '../policy/documents.js';
import { ANNOTATION_SCHEMA_PREFIX } from './annotations.js';
import type { InjectionConfig } from './config.js';
import { fieldError, quote, type FieldError } from './field-error.js';
import { KUBERNETES_STORE } from './references.js';
import { resolveStoreFor, type StoreScope } from './stores.js';
import { foreignObject, outsidePrefixes } from './tenant-checks.js';

/** What validation resolved: the stores by name (with the volumes of their files) and the JSON Schemas by ConfigSchema name. */
export interface ResolvedRefs {
  stores: Record<string, StoreSpec>;
  storeVolumes: Map<string, StoreVolume[]>;
  schemas: Map<string, Record<string, unknown>>;
  errors: FieldError[];
  warnings: string[];
}

/** Resolves and checks every store, path and schema the config names. */
export function validateReferences(
  config: InjectionConfig,
  docs: DocumentSet,
  scope: StoreScope,
  objects?: Pick<ClusterState, 'authoritative' | 'object'>,
): ResolvedRefs {
  // Store names come from annotations: a prototype-less map, so "constructor" is not a known store.
  const out: ResolvedRefs = { stores: Object.create(null) as Record<string, StoreSpec>, storeVolumes: new Map(), schemas: new Map(), errors: [], warnings: [] };
  const seen = new Set<string>();
  for (const file of config.files) {
    for (const src of file.sources) {
      const pair = `${file.sourceKey}|${src.store}`;
      let store = out.stores[src.store];
      if (!store) {
        if (seen.has(pair)) continue; // an unknown store is reported once per annotation
        seen.add(pair);
        const r = resolveStoreFor(docs, scope, src.store, file.sourceKey);
        if ('error' in r) {
          out.errors.push(r.error);
          continue;
        }
        store = out.stores[src.store] = r.spec;
        if (r.volumes.length) out.storeVolumes.set(src.store, r.volumes);
      }
      if (store.pathPrefixes?.length && !store.pathPrefixes.some((p) => isUnderPrefix(src.path, p))) {
        out.errors.push(outsidePrefixes(docs, scope, file.sourceKey, src.store, src.path, store.pathPrefixes));
      }
      if (src.store === KUBERNETES_STORE && objects) {
        const foreign = foreignObject(docs, objects, scope, file.sourceKey, src.path);
        if (foreign) out.errors.push(foreign);
        else if (objects.authoritative) warnMissingObject(out, objects, scope.namespace, file.sourceKey, src.path, src.key);
      }
    }
    if (file.schemaName !== undefined) {
      const doc = docs.schemas.get(`${scope.namespace}/${file.schemaName}`) ?? docs.schemas.get(file.schemaName);
      if (!doc) {
        out.errors.push(fieldError('ANNOTATION_INVALID', `${ANNOTATION_SCHEMA_PREFIX}${file.name}`, `ConfigSchema ${quote(file.schemaName)} is not defined; define it or name one of: ${[...docs.schemas.keys()].sort().join(', ') || '(none defined)'}`));
      } else out.schemas.set(file.schemaName, doc.spec.schema);
    }
  }
  return out;
}

function warnMissingObject(
  out: ResolvedRefs,
  objects: Pick<ClusterState, 'object'>,
  namespace: string,
  annotation: string,
  path: string,
  key: string | undefined,
): void {
  const [kindPath, name = ''] = path.split('/');
  const kind = kindPath === 'secret' ? 'Secret' : 'ConfigMap';
  const obj = objects.object(kind, namespace, name);
  if (!obj) out.warnings.push(`${annotation}: ${kind} ${namespace}/${name} does not exist; create it before the pod starts, or bulwark-init cannot write this file`);
  else if (key !== undefined && !obj.keys.includes(key)) out.warnings.push(`${annotation}: ${kind} ${namespace}/${name} has no key ${quote(key)}`);
}
