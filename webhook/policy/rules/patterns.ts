/**
 * Patterns written in ConfigPolicies: `*` globs, matched without regular expressions in time linear in
 * the glob times the value (never exponential), and regular-expression parameters, which are screened
 * for the shapes that make a backtracking engine run for ever (nested quantifiers, quantified
 * alternation, backreferences) and for length before a policy is accepted (the screen itself lives in
 * contract/safe-regex.ts, which ConfigSchema bounds share).
 */

/** Longest glob accepted (annotation keys are at most 317 characters; object names 253). */
export const MAX_GLOB_LENGTH = 512;
/** Most `*` wildcards in one glob. */
export const MAX_GLOB_STARS = 16;
/** The regular-expression screen (longest accepted, and what is wrong with one). */
export { MAX_REGEX_LENGTH, regexProblem } from '../../../contract/safe-regex.js';

/** Says what is wrong with a glob, or undefined when it is acceptable. */
export function globProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `is a glob of ${glob.length} characters; use at most ${MAX_GLOB_LENGTH}`;
  let stars = 0;
  for (let i = glob.indexOf('*'); i >= 0; i = glob.indexOf('*', i + 1)) stars++;
  if (stars > MAX_GLOB_STARS) return `is a glob with ${stars} wildcards; use at most ${MAX_GLOB_STARS} "*"`;
  return undefined;
}

/**
 * Matches a value against a glob whose only wildcard is `*` (any run of characters, including none),
 * anchored at both ends. Greedy two-pointer matching: on a mismatch it resumes after the last `*`
 * only, so the work is at most glob length times value length, whatever the glob looks like.
 */
export function matchGlob(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = v;
    } else if (g < glob.length && glob[g] === value[v]) {
      g++;
      v++;
    } else if (star >= 0) {
      g = star + 1;
      v = ++resume;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

/** The names of a rule's parameters that are regular expressions (`format: regex`, or lists of them). */
export function regexParamNames(paramsSchema: Record<string, unknown>): string[] {
  const props = (paramsSchema.properties ?? {}) as Record<string, { format?: string; items?: { format?: string } }>;
  return Object.keys(props).filter((k) => props[k]?.format === 'regex' || props[k]?.items?.format === 'regex');
}

/** The names of a rule's parameters that are lists of globs (string lists without an enum or a format). */
export function globParamNames(paramsSchema: Record<string, unknown>): string[] {
  const props = (paramsSchema.properties ?? {}) as Record<string, { type?: string; items?: { type?: string; enum?: unknown; format?: string } }>;
  return Object.keys(props).filter((k) => {
    const p = props[k];
    return p?.type === 'array' && p.items?.type === 'string' && p.items.enum === undefined && p.items.format === undefined;
  });
}
