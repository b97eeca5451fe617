/**
 * Store path normalisation for tenancy checks: a path is refused, with a message that names the
 * trick, when it could mean something else to the store than to a prefix comparison: non-ASCII or
 * look-alike characters (NFKC), percent-encoding, backslashes, control characters, doubled
 * separators and "." / ".." segments. Pure.
 */
import { isUnderPrefix } from '../../contract/store-path.js';

/** Longest store path accepted. */
export const MAX_PATH_LENGTH = 512;

const CHARSET = 'A-Z a-z 0-9 _ . - / + = ,';
const ALLOWED = /^[A-Za-z0-9_.\-/+=,]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED = /%[0-9A-Fa-f]{2}/;

/** A normalised path, or the reason it is refused. */
export type PathCheck = { value: string } | { problem: string };

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Describes the first non-ASCII character of a path: what it normalises to, or that it may be a look-alike. */
function nonAscii(path: string): string | undefined {
  for (const ch of path) {
    if (ch.codePointAt(0)! <= 0x7e) continue;
    const nfkc = ch.normalize('NFKC');
    if (nfkc !== ch) return `found ${codePoint(ch)} which Unicode normalises (NFKC) to ${JSON.stringify(nfkc)}; write plain ASCII`;
    return `found the non-ASCII character ${codePoint(ch)}; store paths are ASCII only, so look-alike letters cannot imitate another tenant's path`;
  }
  return undefined;
}

/** Checks a store path and returns it with a single leading "/" kept (SSM names) and nothing else changed. */
export function checkStorePath(path: string): PathCheck {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) return { problem: `the path must have 1-${MAX_PATH_LENGTH} characters` };
  const uni = nonAscii(path);
  if (uni) return { problem: `the path may only contain ${CHARSET} (${uni})` };
  if (CONTROL.test(path)) return { problem: `the path may only contain ${CHARSET} (found a control character)` };
  const enc = ENCODED.exec(path);
  if (enc) return { problem: `the path may only contain ${CHARSET} (found the percent-encoded sequence ${JSON.stringify(enc[0])}; encoded separators and dots are refused, write the character itself)` };
  if (path.includes('\\')) return { problem: `the path may only contain ${CHARSET} (found a backslash, which some stores treat as a separator)` };
  const body = path.startsWith('/') ? path.slice(1) : path;
  if (body.includes('//') || body.startsWith('/')) return { problem: 'the path must not contain empty, "." or ".." segments (found a doubled separator "//")' };
  const segments = body.split('/');
  if (segments.some((s) => s === '..')) return { problem: 'the path must not contain empty, "." or ".." segments (found "..", which would climb out of a prefix)' };
  if (segments.some((s) => s === '.')) return { problem: 'the path must not contain empty, "." or ".." segments (found ".")' };
  if (segments.some((s) => s === '')) return { problem: 'the path must not contain empty, "." or ".." segments (found an empty segment)' };
  if (!ALLOWED.test(path)) return { problem: `the path may only contain ${CHARSET} (no spaces, "%", "#" or "@")` };
  return { value: path };
}

/** Reports whether a path is outside a prefix but would be inside it if letter case were ignored (a case trick). */
export function differsOnlyInCase(path: string, prefix: string): boolean {
  return !isUnderPrefix(path, prefix) && isUnderPrefix(path.toLowerCase(), prefix.toLowerCase());
}
