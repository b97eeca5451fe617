/**
 * Schema fragments shared by every Bulwark kind: metadata, label selectors, names.
 * Written in the subset that both ajv strict mode and Kubernetes structural schemas accept.
 */
import { BULWARK_API_VERSION } from '../documents.js';

/** A DNS-1123 subdomain name (metadata.name of most Kubernetes objects). */
export const NAME_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
} as const;

/** A DNS-1123 label (namespace names, tenant and environment names). */
export const LABEL_NAME_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
} as const;

/** A map of strings (labels, annotations, matchLabels). */
export const STRING_MAP_SCHEMA = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** A list of unique non-empty strings. */
export const STRING_LIST_SCHEMA = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

/** A Kubernetes label selector. */
export const LABEL_SELECTOR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: STRING_MAP_SCHEMA,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1 },
          operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: STRING_LIST_SCHEMA,
        },
      },
    },
  },
} as const;

/** Builds the metadata schema; namespaced kinds accept metadata.namespace. */
export function metadataSchema(namespaced: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    name: NAME_SCHEMA,
    labels: STRING_MAP_SCHEMA,
    annotations: STRING_MAP_SCHEMA,
  };
  if (namespaced) properties.namespace = LABEL_NAME_SCHEMA;
  // Objects that come from the API server carry uid, resourceVersion, managedFields...: allow them.
  return { type: 'object', required: ['name'], properties };
}

/** Builds the top-level schema of a kind around its spec schema. */
export function documentSchema(kind: string, namespaced: boolean, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    $id: `https://bulwark.dev/schemas/${kind.toLowerCase()}.json`,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', enum: [BULWARK_API_VERSION] },
      kind: { type: 'string', enum: [kind] },
      metadata: metadataSchema(namespaced),
      spec,
      // status is written by controllers on custom resources; it is not part of the contract.
      status: { type: 'object' },
    },
    additionalProperties: false,
  };
}
