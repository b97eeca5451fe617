/**
 * The ids of the built-in rules, in one place so that schemas, the registry and the docs agree.
 */

/** Every rule a ConfigPolicy may name. */
export const RULE_IDS = ['schema', 'immutability', 'secret-leaks', 'secret-hygiene', 'environment', 'references'] as const;
/** A built-in rule id. */
export type RuleId = (typeof RULE_IDS)[number];
