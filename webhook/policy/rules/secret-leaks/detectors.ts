/**
 * Detectors of secrets in plain text. Each takes a value (and its key name) and says whether it
 * holds a secret; none returns or keeps the matched text. Cheap substring checks guard every regex.
 * Every regex is linear in the length of the value (bounded quantifiers, token-boundary anchors,
 * no nested quantifiers), and only the first MAX_SCANNED_CHARS characters of a value are scanned,
 * so that no value can stall the admission server's event loop.
 */

/** The detector ids, as reported in findings. */
export const DETECTORS = [
  'pem-private-key',
  'aws-access-key',
  'gcp-service-account',
  'azure-connection-string',
  'jwt',
  'url-password',
  'high-entropy',
] as const;
/** A detector id. */
export type DetectorId = (typeof DETECTORS)[number];

/** Tuning of the entropy detector. */
export interface EntropyOptions {
  minLength: number;
  minEntropy: number;
  keyPattern: RegExp;
}

/**
 * How many characters of one value the pattern detectors scan (1 MiB, the size limit of a whole
 * ConfigMap, so every value of a real object is scanned in full; a longer value, possible only
 * offline in `bulwark review`, is scanned in its first MiB).
 */
export const MAX_SCANNED_CHARS = 1024 * 1024;

const PEM = /-----BEGIN (?:[A-Z0-9]{1,32} ){0,8}PRIVATE KEY-----/;
const AWS_KEY_ID = /(?:^|[^A-Z0-9])(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}(?![A-Z0-9])/;
const AWS_SECRET = /(?:^|[^A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;
const GCP_TYPE = /"type"\s{0,64}:\s{0,64}"service_account"/;
const AZURE = /(?:AccountKey|SharedAccessKey|SharedAccessSignature)\s{0,64}=\s{0,64}[A-Za-z0-9+/%=]{16}/i;
/** A JWT starts at a token boundary (so the engine does not restart inside every `eyJ` run) and has bounded parts. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,8192}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,8192}/;
/** Longest URL scheme and userinfo the url-password detector looks at. */
const MAX_SCHEME = 21;
const MAX_USERINFO = 2048;

/** Reports whether a value looks like a placeholder or a reference rather than a secret. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v.length === 0 ||
    /^\$\{[^}]*\}$|^\$\([^)]*\)$|^\{\{.*\}\}$|^<[^>]*>$|^%[^%]+%$|^\$[A-Z_][A-Z0-9_]*$/.test(v) ||
    /^(x+|\*+|changeme|change-me|password|secret|redacted|dummy|example|none|null|true|false)$/i.test(v) ||
    /^(vault|ssm|sm|akv|gcpsm|file|env|ref|secretref):/i.test(v)
  );
}

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Runs the pattern detectors (everything but high-entropy) over one value. */
export function detectPatterns(input: string, enabled: ReadonlySet<DetectorId>): DetectorId[] {
  const value = input.length > MAX_SCANNED_CHARS ? input.slice(0, MAX_SCANNED_CHARS) : input;
  const out: DetectorId[] = [];
  if (enabled.has('pem-private-key') && value.includes('PRIVATE KEY-----') && PEM.test(value)) out.push('pem-private-key');
  if (enabled.has('aws-access-key') && /A[KS]IA|AROA|AIDA/.test(value) && AWS_KEY_ID.test(value) && AWS_SECRET.test(value)) out.push('aws-access-key');
  if (enabled.has('gcp-service-account') && value.includes('service_account') && value.includes('private_key') && GCP_TYPE.test(value)) {
    out.push('gcp-service-account');
  }
  if (enabled.has('azure-connection-string') && /Shared|AccountKey/i.test(value) && AZURE.test(value)) out.push('azure-connection-string');
  if (enabled.has('jwt') && value.includes('eyJ') && JWT.test(value)) out.push('jwt');
  if (enabled.has('url-password') && value.includes('://') && value.includes('@') && hasUrlPassword(value)) out.push('url-password');
  return out;
}

/**
 * Finds `scheme://user:password@` with a password that is not a placeholder. Written without a
 * regex: each `://` is looked at once, its scheme backwards (at most MAX_SCHEME characters) and its
 * userinfo forwards up to the first `@`, `/`, quote or space (at most MAX_USERINFO characters); as
 * every `://` holds a `/`, the userinfo windows never overlap and the scan is linear.
 */
function hasUrlPassword(value: string): boolean {
  for (let at = value.indexOf('://'); at >= 0; at = value.indexOf('://', at + 3)) {
    if (!hasScheme(value, at)) continue;
    const userinfo = userinfoAfter(value, at + 3);
    if (userinfo === undefined) continue;
    const colon = userinfo.indexOf(':');
    if (colon <= 0 || colon === userinfo.length - 1) continue;
    if (!isPlaceholder(decodeSafe(userinfo.slice(colon + 1)))) return true;
  }
  return false;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // 0-9 + - .
}

/** Whether `[a-z][a-z0-9+.-]{1,20}` ends right before position `at`. */
function hasScheme(value: string, at: number): boolean {
  for (let i = at - 1, n = 1; i >= 0 && n <= MAX_SCHEME && isSchemeChar(value.charCodeAt(i)); i--, n++) {
    if (n >= 2 && isLetter(value.charCodeAt(i))) return true;
  }
  return false;
}

/** Characters that end a userinfo: space, tab, CR, LF, FF, VT, `/`, `'`, `"`. */
const USERINFO_END = new Set([32, 9, 10, 11, 12, 13, 47, 39, 34]);

/** The text from `from` up to the first `@`, or undefined when a space, `/`, quote or the limit comes first. */
function userinfoAfter(value: string, from: number): string | undefined {
  const end = Math.min(value.length, from + MAX_USERINFO);
  for (let i = from; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 64) return value.slice(from, i); // @
    if (USERINFO_END.has(c) || (c > 127 && /\s/.test(value[i]!))) return undefined;
  }
  return undefined;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Longest key name tested against secretKeyPattern (an annotation key is at most 317 characters). */
export const MAX_KEY_CHARS = 320;

/** Reports whether a value under this key name looks like a real secret by its entropy. */
export function detectEntropy(key: string, value: string, opts: EntropyOptions): boolean {
  if (key.length > MAX_KEY_CHARS || !opts.keyPattern.test(key)) return false;
  const v = value.trim();
  if (v.length < opts.minLength || v.length > 4096 || /\s/.test(v) || v.includes('://') || v.startsWith('/') || isPlaceholder(v)) return false;
  return shannonEntropy(v) >= opts.minEntropy;
}

const LINE_PAIR = /^\s*["']?([A-Za-z0-9_.\-[\]]{1,128})["']?\s*[:=]\s*["']?([^"'\s#;,]+)/;

/** Splits structured content (YAML, properties, env, INI, flat JSON) into key/value pairs, line by line. */
export function linePairs(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start < 512) {
      const m = LINE_PAIR.exec(text.slice(start, end));
      if (m) out.push([m[1]!, m[2]!]);
    }
    start = end + 1;
  }
  return out;
}
