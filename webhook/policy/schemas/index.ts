/**
 * One compiled JSON Schema per Bulwark kind, with the facts the CRD generator and the cluster
 * watcher need (scope and plural name), and the entry points for compiling ConfigSchema content
 * schemas (bounded, cached by content, off the event loop on admission: ../schema-compile.ts).
 */
import { createAjv, formatAjvErrors, type ValidateFunction } from '../../../sidecar/spec/ajv.js';
import { BULWARK_API_VERSION, type ConfigSchema, type DocumentKind } from '../documents.js';
import { CONFIG_POLICY_SCHEMA } from './config-policy.js';
import { CONFIG_SCHEMA_SCHEMA } from './config-schema.js';
import { compileContentSchemaNow, compileContentSchemaOffThread, type CompiledContentSchema, type ContentSchemaProblem } from '../schema-compile.js';
import { CLUSTER_SECRET_STORE_SCHEMA, SECRET_STORE_SCHEMA } from './secret-store.js';
import { TENANT_SCHEMA } from './tenant.js';

/** The API version of Bulwark's custom resources (v1alpha1). */
export const CRD_VERSION = BULWARK_API_VERSION.split('/')[1]!;

/** What Bulwark knows about one kind: its schema, whether it is namespaced and its resource names. */
export interface KindInfo {
  kind: DocumentKind;
  schema: Record<string, unknown>;
  namespaced: boolean;
  plural: string;
  singular: string;
  shortNames: string[];
}

/** Every Bulwark kind, in the order the CRDs are generated. */
export const KINDS: Record<DocumentKind, KindInfo> = {
  ConfigPolicy: { kind: 'ConfigPolicy', schema: CONFIG_POLICY_SCHEMA, namespaced: true, plural: 'configpolicies', singular: 'configpolicy', shortNames: ['cpol'] },
  ConfigSchema: { kind: 'ConfigSchema', schema: CONFIG_SCHEMA_SCHEMA, namespaced: false, plural: 'configschemas', singular: 'configschema', shortNames: ['cschema'] },
  SecretStore: { kind: 'SecretStore', schema: SECRET_STORE_SCHEMA, namespaced: true, plural: 'secretstores', singular: 'secretstore', shortNames: ['ss'] },
  ClusterSecretStore: { kind: 'ClusterSecretStore', schema: CLUSTER_SECRET_STORE_SCHEMA, namespaced: false, plural: 'clustersecretstores', singular: 'clustersecretstore', shortNames: ['css'] },
  Tenant: { kind: 'Tenant', schema: TENANT_SCHEMA, namespaced: false, plural: 'tenants', singular: 'tenant', shortNames: ['tn'] },
};

let validators: Map<DocumentKind, ValidateFunction> | undefined;

/** Returns the compiled validator of a kind (compiled once, in ajv strict mode). */
export function kindValidator(kind: DocumentKind): ValidateFunction {
  if (!validators) {
    const ajv = createAjv();
    validators = new Map();
    for (const info of Object.values(KINDS)) validators.set(info.kind, ajv.compile(info.schema));
  }
  return validators.get(kind)!;
}

const compiled = new WeakMap<ConfigSchema, CompiledContentSchema>();

/**
 * Compiles the JSON Schema inside a ConfigSchema (unknown keywords are errors) on this thread, within
 * the bounds of contract/schema-bounds.ts and through the content-hash cache of schema-compile.ts (so
 * a schema admitted earlier, compiled in a worker, is not compiled again). The result is also kept per
 * document: document sets are immutable, and a document in force keeps its validator whatever the cache
 * evicts. A transient failure (deadline, busy) is not kept per document.
 */
export function compileContentSchema(doc: ConfigSchema): CompiledContentSchema {
  const hit = compiled.get(doc);
  if (hit) return hit;
  const out = compileContentSchemaNow(doc.spec.schema);
  if (out.ok || !out.transient) compiled.set(doc, out);
  return out;
}

/**
 * Compiles the schema of a ConfigSchema under review in a worker thread with a deadline, so that the
 * validation that follows (compileContentSchema) finds it in the cache instead of compiling it on the
 * event loop. Anything else (another kind, no spec.schema object) resolves at once.
 */
export async function prepareContentSchema(obj: unknown): Promise<void> {
  const o = obj as { kind?: unknown; spec?: { schema?: unknown } } | null | undefined;
  const schema = o?.kind === 'ConfigSchema' ? o.spec?.schema : undefined;
  if (schema && typeof schema === 'object' && !Array.isArray(schema)) await compileContentSchemaOffThread(schema);
}

export type { CompiledContentSchema, ContentSchemaProblem };
export { formatAjvErrors };
