/**
 * Parameters of the schema rule, their JSON Schema and defaults.
 */

/** Parameters of the schema rule. */
export interface SchemaParams {
  /** Every ConfigMap must name a ConfigSchema (or get one from defaultSchema / keys). */
  required: boolean;
  /** ConfigSchema used for the whole object when the object names none. */
  defaultSchema?: string;
  /** ConfigSchemas required by policy per data key, e.g. {"app.yaml": "app-config"}. */
  keys: Record<string, string>;
  /** Values larger than this are not parsed; they fail with a message saying so. */
  maxValueBytes: number;
  /** At most this many failing JSON paths are listed per key. */
  maxErrors: number;
}

/** The default parameters. */
export const SCHEMA_DEFAULTS: SchemaParams = { required: false, keys: {}, maxValueBytes: 262144, maxErrors: 20 };

/** The JSON Schema of the parameters. */
export const SCHEMA_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    required: { type: 'boolean' },
    defaultSchema: { type: 'string', minLength: 1 },
    keys: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    maxValueBytes: { type: 'integer', minimum: 1, maximum: 1048576 },
    maxErrors: { type: 'integer', minimum: 1, maximum: 1000 },
  },
};
