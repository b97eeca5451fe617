/**
 * Quoting user-supplied text in messages without ever echoing credentials: the userinfo of every
 * URL (`scheme://user:password@`) becomes `***@`. Used by injection and by the policy rules.
 */

/**
 * Quotes a user-supplied value for a message, shortened so a message stays readable, with the
 * userinfo of every URL in it (`scheme://user:password@`) replaced by `***@`: messages never echo credentials.
 */
export function quote(value: string, max = 80): string {
  const safe = stripUserinfo(value);
  const v = safe.length > max ? `${safe.slice(0, max - 3)}...` : safe;
  return JSON.stringify(v);
}

/** Characters that end a URL authority: `/ ? #`, quotes and whitespace. */
const AUTHORITY_END = /[/?#'"\s]/;

/** Replaces the userinfo of every `scheme://user[:password]@host` in a text with `***`; linear, no regex backtracking. */
export function stripUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let from = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    const start = at + 3;
    if (start < from) continue;
    let end = start;
    while (end < text.length && !AUTHORITY_END.test(text[end]!)) end++;
    const userinfoEnd = text.lastIndexOf('@', end - 1);
    if (userinfoEnd >= start) {
      out += `${text.slice(from, start)}***`;
      from = userinfoEnd;
    }
  }
  return out + text.slice(from);
}
