/**
 * Echoing user-supplied text in messages and logs, bounded and without credentials: clip() caps a
 * text with an ellipsis and its original length, quote() quotes a value after replacing the userinfo
 * of every URL (`scheme://user:password@`) by `***@`. Used by admission responses, the logger,
 * injection and the policy rules.
 */

/** The most characters one echoed value may take in a message (a Kubernetes warning holds 256). */
export const MAX_ECHO_LENGTH = 256;

/** The first `keep` characters of a text, never ending on half of a surrogate pair. */
function head(text: string, keep: number): string {
  const code = text.charCodeAt(keep - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? keep - 1 : keep);
}

/** The note clip() puts after a shortened text: an ellipsis and the original length. */
function clipNote(length: number): string {
  return `… (${length} characters)`;
}

/**
 * Returns a text of at most max characters: the text itself when it fits, else its beginning, an
 * ellipsis and its original length (`abc… (1048576 characters)`). O(max), whatever the text's size.
 */
export function clip(text: string, max = MAX_ECHO_LENGTH): string {
  if (text.length <= max) return text;
  const note = clipNote(text.length);
  return `${head(text, Math.max(0, max - note.length))}${note}`;
}

/**
 * Quotes a user-supplied value for a message, with the userinfo of every URL in it replaced by `***@`:
 * messages never echo credentials. A value longer than max characters keeps its beginning and says its
 * length after the quotes (`"abc…" (1048576 characters)`), so the result has at most max + 2 characters.
 */
export function quote(value: string, max = 80): string {
  const safe = stripUserinfo(value);
  if (safe.length <= max) {
    const whole = JSON.stringify(safe);
    if (whole.length <= max + 2) return whole;
  }
  const note = ` (${safe.length} characters)`;
  const room = Math.max(1, max - note.length - 1); // 1: the ellipsis
  let kept = head(safe, room);
  // JSON escapes (\", \n, \u0001) lengthen the quoted text: give back what they take.
  const excess = JSON.stringify(kept).length - 2 - room;
  if (excess > 0) kept = head(kept, Math.max(0, kept.length - excess));
  return `${JSON.stringify(`${kept}…`)}${note}`;
}

/** Reports whether a character ends a URL authority: `/ ? #`, quotes and whitespace. */
function endsAuthority(c: string): boolean {
  return c === '/' || c === '?' || c === '#' || c === "'" || c === '"' || c.trim() === '';
}

/**
 * Replaces the userinfo of every `scheme://user[:password]@host` in a text with `***`. Linear: each
 * authority is scanned once, forwards (a backwards search for the `@` was quadratic on many URLs).
 */
export function stripUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let from = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    const start = at + 3;
    if (start < from) continue;
    let end = start;
    let lastAt = -1;
    for (; end < text.length && !endsAuthority(text[end]!); end++) if (text[end] === '@') lastAt = end;
    if (lastAt >= 0) {
      out += `${text.slice(from, start)}***`;
      from = lastAt;
    }
  }
  return out + text.slice(from);
}
