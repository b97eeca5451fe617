/**
 * Patterns written in ConfigPolicies: `*` globs, matched without regular expressions in time linear in
 * the glob times the value (never exponential), and regular-expression parameters, which are screened
 * for the shapes that make a backtracking engine run for ever (nested quantifiers, quantified
 * alternation, backreferences) and for length before a policy is accepted.
 */

/** Longest glob accepted (annotation keys are at most 317 characters; object names 253). */
export const MAX_GLOB_LENGTH = 512;
/** Most `*` wildcards in one glob. */
export const MAX_GLOB_STARS = 16;
/** Longest regular-expression parameter accepted. */
export const MAX_REGEX_LENGTH = 256;

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

interface Group {
  /** A quantifier appears inside the group (directly or in a nested group). */
  quantified: boolean;
  /** The group has a top-level `|`. */
  alternation: boolean;
}

/** Reads the quantifier starting at i: its length and whether it repeats (anything but ? and {0,1}/{1}). */
function quantifierAt(src: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = src[i];
  if (c === '*' || c === '+') return { length: src[i + 1] === '?' ? 2 : 1, repeats: true };
  if (c === '?') return { length: src[i + 1] === '?' ? 2 : 1, repeats: false };
  if (c !== '{') return undefined;
  const m = /^\{(\d{1,6})(,(\d{0,6}))?\}\??/.exec(src.slice(i, i + 16));
  if (!m) return undefined;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return { length: m[0].length, repeats: max > 1 };
}

/**
 * Says why a regular-expression parameter could make matching run for ever (or is too long), or
 * undefined when it is acceptable. Refused: more than MAX_REGEX_LENGTH characters, backreferences
 * (`\1`, `\k<name>`), a repeated group holding a quantifier (`(a+)+`, `(a*)*`, `(a+)*`, `(a?){2,}`)
 * and a repeated group holding an alternation (`(a|ab)*`). The pattern must also compile.
 */
export function regexProblem(src: string): string | undefined {
  if (src.length > MAX_REGEX_LENGTH) return `is a regular expression of ${src.length} characters; use at most ${MAX_REGEX_LENGTH}`;
  try {
    new RegExp(src);
  } catch {
    return 'is not a valid regular expression';
  }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n !== undefined && /[1-9]/.test(n)) return 'uses a backreference (\\1...\\9); backreferences are not allowed';
      if (n === 'k' && src[i + 2] === '<') return 'uses a named backreference (\\k<name>); backreferences are not allowed';
      i++;
      i = afterAtom(src, i + 1, top) - 1;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = afterAtom(src, j + 1, top) - 1;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      if (src[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>: skip the group prefix.
        const m = /^\(\?(<[A-Za-z_$][\w$]*>|<=|<!|[:=!])/.exec(src.slice(i, i + 40));
        if (m) i += m[0].length - 1;
      }
      continue;
    }
    if (c === ')') {
      const group = stack.pop()!;
      const parent = stack[stack.length - 1] ?? top;
      const q = quantifierAt(src, i + 1);
      if (q?.repeats && group.quantified) return 'repeats a group that holds a quantifier (like (a+)+ or (a*)*), which can take exponential time; rewrite it without the nesting';
      if (q?.repeats && group.alternation) return 'repeats a group that holds an alternation (like (a|ab)*), which can take exponential time; rewrite it without the repetition';
      parent.quantified ||= group.quantified || q !== undefined;
      if (q) i += q.length;
      continue;
    }
    if (c === '|') {
      top.alternation = true;
      continue;
    }
    i = afterAtom(src, i + 1, top) - 1;
  }
  return undefined;
}

/** After an atom ending before position i: skips a quantifier if there is one, recording it on the group. */
function afterAtom(src: string, i: number, group: Group): number {
  const q = quantifierAt(src, i);
  if (!q) return i;
  group.quantified = true;
  return i + q.length;
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
