/**
 * Content schemas at the edges of contract/schema-bounds.ts, shared by the bounds tests and the schema
 * benchmark: the largest allowed one (slow to compile, under every bound) and the 190 KB shapes of the
 * Hardening issue that used to overflow ajv's stack.
 */
import { MAX_SCHEMA_BRANCHES, MAX_SCHEMA_VALUES, schemaBounds } from '../../contract/schema-bounds.js';

/** One branch of the largest allowed schema: a discriminated variant with typical keywords (18 JSON values). */
function variant(i: number): Record<string, unknown> {
  return {
    type: 'object',
    required: ['kind'],
    properties: {
      kind: { const: `kind-${i}` },
      name: { type: 'string', maxLength: 63, pattern: '^[a-z][a-z0-9-]*$' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      limits: { $ref: '#/$defs/limits' },
    },
  };
}

/**
 * The largest schema the bounds allow of a realistic shape: a oneOf of MAX_SCHEMA_BRANCHES variants
 * (every branch, pattern and $ref a variant has counts), then properties of 3 JSON values each until
 * the schema holds just under MAX_SCHEMA_VALUES.
 */
export function largestAllowedSchema(): Record<string, unknown> {
  const variants = Array.from({ length: MAX_SCHEMA_BRANCHES }, (_, i) => variant(i));
  const schema: Record<string, unknown> = {
    $defs: { limits: { type: 'object', additionalProperties: false, properties: { cpu: { type: 'string' }, memory: { type: 'string' } } } },
    oneOf: variants,
  };
  const extras = Math.floor((MAX_SCHEMA_VALUES - schemaBounds(schema).stats.values) / 3);
  for (let i = 0; i < extras; i++) (variants[i % variants.length]!.properties as Record<string, unknown>)[`extra${i}`] = { type: 'string', maxLength: 256 };
  return schema;
}

/** A chain of definitions, each referring to the next: about 95 bytes per link (2,000 links: 190 KB, flat JSON). */
export function refChainSchema(links: number): Record<string, unknown> {
  const $defs: Record<string, unknown> = {};
  for (let i = 0; i < links; i++) {
    $defs[`d${i}`] = i === links - 1 ? { type: 'string' } : { type: 'object', properties: { next: { $ref: `#/$defs/d${i + 1}` }, v: { type: 'integer' } } };
  }
  return { $defs, $ref: '#/$defs/d0' };
}

/** Objects nested inside objects until the JSON is at least `bytes` long (190 KB: about 5,000 levels). */
export function deeplyNestedSchema(bytes: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let size = 17; size < bytes; size += 36) schema = { type: 'object', properties: { a: schema } };
  return schema;
}
