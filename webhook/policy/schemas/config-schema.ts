/**
 * The JSON Schema of ConfigSchema: a named JSON Schema that configuration content must satisfy.
 */
import { documentSchema } from './common.js';

/** The content formats a ConfigSchema may name as its default. */
export const CONTENT_FORMATS = ['json', 'yaml', 'properties', 'env', 'ini'] as const;

/**
 * The spec of a ConfigSchema. spec.schema is only "an object" here: its bounds (size, values, depth,
 * branches, $refs, patterns, formats; contract/schema-bounds.ts) and its compilation are checked
 * separately (compileContentSchema in ./index.ts), since JSON Schema cannot express them.
 */
export const CONFIG_SCHEMA_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schema'],
  properties: {
    schema: { type: 'object' },
    format: { type: 'string', enum: [...CONTENT_FORMATS] },
    description: { type: 'string', maxLength: 2048 },
  },
} as const;

/** The whole ConfigSchema document schema (cluster-scoped kind). */
export const CONFIG_SCHEMA_SCHEMA = documentSchema('ConfigSchema', false, CONFIG_SCHEMA_SPEC_SCHEMA);
