/**
 * The JSON Schema of the sidecar spec, and a compiled validator used by both the webhook
 * (before the spec is placed in a pod) and the sidecar (before it acts on one).
 */
import { createAjv, formatAjvErrors } from './ajv.js';
import { addressCredentialProblem, PATH_PREFIXES_SCHEMA, STORE_CONNECTION_PROPERTIES } from '../../contract/store-connection.js';
import { FORMATS, SPEC_VERSION, type SidecarSpec } from './types.js';

const name = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$' } as const;

/** The spec's JSON Schema (draft 2020-12 compatible subset, ajv strict mode). */
export const SPEC_SCHEMA = {
  $id: 'https://bulwark.dev/schemas/sidecar-spec.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'pod', 'mountPath', 'files', 'stores', 'reload', 'refreshSeconds', 'onFailure', 'initOnly', 'debounceMs'],
  properties: {
    version: { const: SPEC_VERSION },
    pod: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace'],
      properties: {
        namespace: { type: 'string', minLength: 1, maxLength: 63 },
        name: { type: 'string', maxLength: 253 },
        tenant: { type: 'string', maxLength: 63 },
        environment: { type: 'string', maxLength: 63 },
        owner: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name'],
          properties: { kind: { type: 'string' }, name: { type: 'string' } },
        },
      },
    },
    mountPath: { type: 'string', pattern: '^/[A-Za-z0-9_./-]*$', maxLength: 255 },
    files: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind', 'sources', 'format', 'mode'],
        properties: {
          name,
          kind: { enum: ['secret', 'config'] },
          sources: {
            type: 'array',
            minItems: 1,
            maxItems: 16,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['store', 'path'],
              properties: {
                store: name,
                path: { type: 'string', minLength: 1, maxLength: 512 },
                key: { type: 'string', minLength: 1, maxLength: 253 },
                version: { type: 'string', minLength: 1, maxLength: 128 },
              },
            },
          },
          format: { enum: [...FORMATS] },
          mode: { type: 'integer', minimum: 0, maximum: 0o777 },
          template: { type: 'string', maxLength: 65536 },
          schemaName: name,
          schema: { type: 'object' },
        },
      },
    },
    stores: {
      type: 'object',
      propertyNames: name,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['provider'],
        properties: { ...STORE_CONNECTION_PROPERTIES, pathPrefixes: PATH_PREFIXES_SCHEMA },
      },
    },
    reload: {
      type: 'array',
      minItems: 1,
      maxItems: 4,
      items: {
        type: 'object',
        required: ['type'],
        oneOf: [
          {
            additionalProperties: false,
            properties: {
              type: { const: 'signal' },
              signal: { type: 'string', pattern: '^SIG[A-Z0-9]+$' },
              process: { type: 'string', maxLength: 255 },
            },
            required: ['type', 'signal'],
          },
          {
            additionalProperties: false,
            properties: { type: { const: 'http' }, url: { type: 'string', pattern: '^https?://' } },
            required: ['type', 'url'],
          },
          { additionalProperties: false, properties: { type: { const: 'restart' } }, required: ['type'] },
          { additionalProperties: false, properties: { type: { const: 'none' } }, required: ['type'] },
        ],
      },
    },
    refreshSeconds: { type: 'number', minimum: 1, maximum: 86400 },
    health: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'timeoutSeconds'],
      properties: { url: { type: 'string', pattern: '^https?://' }, timeoutSeconds: { type: 'number', minimum: 1, maximum: 600 } },
    },
    onFailure: { enum: ['keep-last-good', 'fail'] },
    initOnly: { type: 'boolean' },
    debounceMs: { type: 'integer', minimum: 0, maximum: 60000 },
    fetchBudgetPerMinute: { type: 'integer', minimum: 1 },
    limits: {
      type: 'object',
      additionalProperties: false,
      required: ['fileBytes', 'totalBytes'],
      properties: { fileBytes: { type: 'integer', minimum: 1 }, totalBytes: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

const ajv = createAjv();
const validate = ajv.compile(SPEC_SCHEMA);

/** Validates a spec; returns the list of problems (JSON path and message), empty when valid. */
export function validateSpec(spec: unknown): string[] {
  if (!validate(spec)) return formatAjvErrors(validate.errors);
  const problems: string[] = [];
  for (const [name, store] of Object.entries((spec as SidecarSpec).stores)) {
    const p = addressCredentialProblem(store.address);
    if (p) problems.push(`/stores/${name}/address ${p}`);
  }
  return problems;
}

/** Parses and validates a spec from JSON text; throws with every problem listed. */
export function parseSpec(text: string): SidecarSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`sidecar spec is not valid JSON: ${(err as Error).message}`);
  }
  const problems = validateSpec(doc);
  if (problems.length) throw new Error(`sidecar spec is invalid: ${problems.join('; ')}`);
  return doc as SidecarSpec;
}
