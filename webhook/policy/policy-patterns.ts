/**
 * Checks the patterns a ConfigPolicy carries before it is accepted: every glob (match.names,
 * match.namespaces, glob-list parameters) within the glob limits, every regular-expression parameter
 * free of the shapes that backtrack for ever, and no regular-expression parameter at all in a
 * namespaced ConfigPolicy, which a tenant may write (tenants use globs: allowKeys and the like).
 */
import type { ConfigPolicy } from './documents.js';
import { globParamNames, globProblem, regexParamNames, regexProblem } from './rules/patterns.js';
import { RULES } from './rules/registry.js';
import type { RuleDefinition } from './rules/types.js';

/** One problem: a JSON pointer into the document and what to change. */
export interface PatternError {
  path: string;
  message: string;
}

/** Lists the pattern problems of a (schema-valid) ConfigPolicy; empty when it is acceptable. */
export function policyPatternErrors(policy: ConfigPolicy): PatternError[] {
  const out: PatternError[] = [];
  const globs = (list: unknown, path: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((g, i) => {
      const problem = typeof g === 'string' ? globProblem(g) : undefined;
      if (problem) out.push({ path: `${path}/${i}`, message: problem });
    });
  };
  globs(policy.spec.match?.names, '/spec/match/names');
  globs(policy.spec.match?.namespaces, '/spec/match/namespaces');
  const namespaced = Boolean(policy.metadata.namespace);
  policy.spec.rules.forEach((r, i) => {
    const def = (RULES as Record<string, RuleDefinition<any> | undefined>)[r.rule];
    const params = (r.params ?? {}) as Record<string, unknown>;
    if (!def) return;
    const base = `/spec/rules/${i}/params`;
    for (const name of globParamNames(def.paramsSchema)) globs(params[name], `${base}/${name}`);
    for (const name of regexParamNames(def.paramsSchema)) {
      const value = params[name];
      if (value === undefined) continue;
      if (namespaced) {
        out.push({
          path: `${base}/${name}`,
          message: `regular expressions are not accepted in a namespaced ConfigPolicy (a pattern could stall the admission webhook); remove ${name} and use the glob parameters (such as allowKeys), or ask a cluster admin for a cluster-scoped ConfigPolicy`,
        });
        continue;
      }
      const list = Array.isArray(value) ? value : [value];
      list.forEach((src, j) => {
        const problem = typeof src === 'string' ? regexProblem(src) : undefined;
        if (problem) out.push({ path: Array.isArray(value) ? `${base}/${name}/${j}` : `${base}/${name}`, message: problem });
      });
    }
  });
  return out;
}
