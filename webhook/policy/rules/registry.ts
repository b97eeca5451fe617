/**
 * The built-in rules by id, with their compiled parameter validators and the merge of defaults.
 */
import { createAjv, formatAjvErrors, type ValidateFunction } from '../../../sidecar/spec/ajv.js';
import { environmentRule } from './environment/rule.js';
import type { RuleId } from './ids.js';
import { immutabilityRule } from './immutability/rule.js';
import { referencesRule } from './references/rule.js';
import { schemaRule } from './schema/rule.js';
import { secretHygieneRule } from './secret-hygiene/rule.js';
import { secretLeaksRule } from './secret-leaks/rule.js';
import type { RuleDefinition } from './types.js';

/** Every built-in rule by id. */
export const RULES: Record<RuleId, RuleDefinition<any>> = {
  schema: schemaRule,
  immutability: immutabilityRule,
  'secret-leaks': secretLeaksRule,
  'secret-hygiene': secretHygieneRule,
  environment: environmentRule,
  references: referencesRule,
};

let validators: Map<string, ValidateFunction> | undefined;

/** Validates a rule's parameters against its schema; returns "JSON-path message" lines (empty when valid). */
export function validateRuleParams(rule: string, params: unknown): string[] {
  const def = (RULES as Record<string, RuleDefinition<any> | undefined>)[rule];
  if (!def) return [`/ unknown rule "${rule}"; use one of: ${Object.keys(RULES).join(', ')}`];
  if (!validators) {
    const ajv = createAjv();
    validators = new Map(Object.values(RULES).map((r) => [r.id, ajv.compile(r.paramsSchema)]));
  }
  const validate = validators.get(rule)!;
  return validate(params ?? {}) ? [] : formatAjvErrors(validate.errors);
}

const merged = new WeakMap<object, Record<string, unknown>>();

/** Returns the rule's defaults with the given parameters on top (memoised per params object). */
export function effectiveParams(rule: RuleDefinition<any>, params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params) return rule.defaults as Record<string, unknown>;
  let out = merged.get(params);
  if (!out) {
    out = Object.freeze({ ...(rule.defaults as Record<string, unknown>), ...params });
    merged.set(params, out);
  }
  return out;
}
