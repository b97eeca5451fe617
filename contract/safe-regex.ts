/**
 * The screen for regular expressions that a backtracking engine could run for ever on: nested
 * quantifiers, quantified alternation, backreferences, and length. Shared by the webhook (policy
 * parameters, ConfigSchema `pattern`/`patternProperties`) and the sidecar (schemas in its spec, through
 * schema-bounds.ts). Pure; imports nothing of webhook/ or sidecar/.
 */

/** Longest regular-expression parameter accepted. */
export const MAX_REGEX_LENGTH = 256;

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
