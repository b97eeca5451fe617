/**
 * The JSON Schema of Tenant: a group of namespaces with its stores, path prefixes, quotas and grants.
 */
import { LABEL_SELECTOR_SCHEMA, STRING_LIST_SCHEMA, documentSchema } from './common.js';

const count = { type: 'integer', minimum: 0 } as const;

/** The spec of a Tenant. */
export const TENANT_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespaces: STRING_LIST_SCHEMA,
    namespaceSelector: LABEL_SELECTOR_SCHEMA,
    environments: STRING_LIST_SCHEMA,
    stores: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, pathPrefixes: STRING_LIST_SCHEMA },
      },
    },
    quotas: {
      type: 'object',
      additionalProperties: false,
      properties: {
        configMaps: count,
        secrets: count,
        configBytes: count,
        injectedPods: count,
        fetchesPerMinute: count,
      },
    },
    grants: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['to'],
        properties: {
          to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          store: { type: 'string', minLength: 1 },
          paths: STRING_LIST_SCHEMA,
          configMaps: STRING_LIST_SCHEMA,
          description: { type: 'string', maxLength: 1024 },
        },
      },
    },
    labelAdmins: {
      type: 'object',
      additionalProperties: false,
      properties: { users: STRING_LIST_SCHEMA, groups: STRING_LIST_SCHEMA },
    },
  },
} as const;

/** The whole Tenant document schema (cluster-scoped kind). */
export const TENANT_SCHEMA = documentSchema('Tenant', false, TENANT_SPEC_SCHEMA);
