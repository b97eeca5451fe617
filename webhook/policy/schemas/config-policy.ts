/**
 * The JSON Schema of ConfigPolicy: what is enforced, where, and how strictly.
 */
import { POLICY_LEVELS } from '../documents.js';
import { RULE_IDS } from '../rules/ids.js';
import { LABEL_SELECTOR_SCHEMA, STRING_LIST_SCHEMA, documentSchema } from './common.js';

const MODE = { type: 'string', enum: ['enforce', 'audit'] } as const;

/** The spec of a ConfigPolicy. Rule parameters are checked against each rule's own schema by the loader. */
export const CONFIG_POLICY_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'rules'],
  properties: {
    mode: MODE,
    level: { type: 'string', enum: [...POLICY_LEVELS] },
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kinds: STRING_LIST_SCHEMA,
        operations: { type: 'array', items: { type: 'string', enum: ['CREATE', 'UPDATE', 'DELETE'] } },
        namespaceSelector: LABEL_SELECTOR_SCHEMA,
        environments: STRING_LIST_SCHEMA,
        tenants: STRING_LIST_SCHEMA,
        selector: LABEL_SELECTOR_SCHEMA,
        names: STRING_LIST_SCHEMA,
        namespaces: STRING_LIST_SCHEMA,
      },
    },
    rules: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule'],
        properties: {
          rule: { type: 'string', enum: [...RULE_IDS] },
          params: { type: 'object' },
          mode: MODE,
        },
      },
    },
  },
} as const;

/** The whole ConfigPolicy document schema (namespaced kind). */
export const CONFIG_POLICY_SCHEMA = documentSchema('ConfigPolicy', true, CONFIG_POLICY_SPEC_SCHEMA);
