/**
 * One compiled JSON Schema per Bulwark kind, with the facts the CRD generator and the cluster
 * watcher need (scope and plural name), and the compiler for ConfigSchema content schemas.
 */
import { createAjv, formatAjvErrors, type ValidateFunction } from '../../../sidecar/spec/ajv.js';
import { BULWARK_API_VERSION, type ConfigSchema, type DocumentKind } from '../documents.js';
import { CONFIG_POLICY_SCHEMA } from './config-policy.js';
import { CONFIG_SCHEMA_SCHEMA } from './config-schema.js';
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

/** The result of compiling a ConfigSchema's content schema. */
export type CompiledContentSchema = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

const compiled = new WeakMap<ConfigSchema, CompiledContentSchema>();

/**
 * Compiles the JSON Schema inside a ConfigSchema (unknown keywords are errors), caching by document:
 * document sets are immutable, so a document is compiled once.
 */
export function compileContentSchema(doc: ConfigSchema): CompiledContentSchema {
  const hit = compiled.get(doc);
  if (hit) return hit;
  let out: CompiledContentSchema;
  try {
    // A fresh instance per schema: user schemas may reuse $id values across documents.
    const ajv = createAjv({ strictTypes: false, strictTuples: false });
    out = { ok: true, validate: ajv.compile(doc.spec.schema) };
  } catch (err) {
    out = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  compiled.set(doc, out);
  return out;
}

export { formatAjvErrors };
