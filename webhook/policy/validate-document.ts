/**
 * Validates one Bulwark document against its kind's JSON Schema, its rules' parameter schemas and
 * patterns (policy-patterns.ts), and (for ConfigSchema) the bounds and compilability of the schema it
 * carries (schemas/index.ts); returns a clean copy.
 */
import { addressCredentialProblem } from '../../contract/store-connection.js';
import { BULWARK_API_VERSION, DOCUMENT_KINDS, type BulwarkDocument, type ConfigPolicy, type ConfigSchema, type DocumentKind } from './documents.js';
import { documentLabel, type DocumentError } from './document-error.js';
import { policyPatternErrors } from './policy-patterns.js';
import { validateRuleParams } from './rules/registry.js';
import { compileContentSchema, formatAjvErrors, kindValidator } from './schemas/index.js';

/** Reports whether an object claims to be a Bulwark document (apiVersion in the bulwark.dev group). */
export function isBulwarkObject(obj: unknown): boolean {
  const v = (obj as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof v === 'string' && v.startsWith('bulwark.dev/');
}

/** Splits "path message" lines from formatAjvErrors into DocumentErrors. */
function toErrors(lines: string[], source: string, object: string | undefined, prefix = ''): DocumentError[] {
  return lines.map((line) => {
    const i = line.indexOf(' ');
    const path = line.slice(0, i);
    const p = path === '/' ? prefix || '/' : `${prefix}${path}`;
    return { source, object, path: p, message: line.slice(i + 1), code: 'DOCUMENT_INVALID' as const };
  });
}

/** Validates a document; on success returns a copy holding only the contract fields (no managedFields, status...). */
export function validateDocument(obj: unknown, source: string, index?: number): { doc?: BulwarkDocument; errors: DocumentError[] } {
  const object = documentLabel(obj, index);
  const fail = (path: string, message: string): { errors: DocumentError[] } => ({ errors: [{ source, object, path, message, code: 'DOCUMENT_INVALID' }] });
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return fail('/', 'is not an object');
  const o = obj as Record<string, any>;
  if (o.apiVersion !== BULWARK_API_VERSION) return fail('/apiVersion', `must be ${BULWARK_API_VERSION}`);
  if (!DOCUMENT_KINDS.includes(o.kind)) return fail('/kind', `must be one of ${DOCUMENT_KINDS.join(', ')}`);
  const kind = o.kind as DocumentKind;
  const validate = kindValidator(kind);
  if (!validate(o)) return { errors: toErrors(formatAjvErrors(validate.errors), source, object) };
  const errors: DocumentError[] = [];
  if (kind === 'ConfigPolicy') {
    (o as ConfigPolicy).spec.rules.forEach((r, i) => {
      errors.push(...toErrors(validateRuleParams(r.rule, r.params ?? {}), source, object, `/spec/rules/${i}/params`));
    });
    if (!errors.length) {
      for (const e of policyPatternErrors(o as ConfigPolicy)) errors.push({ source, object, path: e.path, message: e.message, code: 'DOCUMENT_INVALID' });
    }
  }
  if (kind === 'ConfigSchema') {
    const compiled = compileContentSchema(o as ConfigSchema);
    if (!compiled.ok) for (const p of compiled.problems) errors.push({ source, object, path: `/spec/schema${p.path}`, message: p.message, code: 'DOCUMENT_INVALID' });
  }
  if (kind === 'SecretStore' || kind === 'ClusterSecretStore') {
    const problem = addressCredentialProblem(o.spec?.address);
    if (problem) errors.push({ source, object, path: '/spec/address', message: problem, code: 'DOCUMENT_INVALID' });
  }
  if (errors.length) return { errors };
  const md = o.metadata as Record<string, any>;
  const metadata: Record<string, unknown> = { name: md.name };
  if (md.namespace !== undefined) metadata.namespace = md.namespace;
  if (md.labels) metadata.labels = structuredClone(md.labels);
  if (md.annotations) metadata.annotations = structuredClone(md.annotations);
  const doc = { apiVersion: BULWARK_API_VERSION, kind, metadata, spec: structuredClone(o.spec) } as unknown as BulwarkDocument;
  return { doc, errors: [] };
}
