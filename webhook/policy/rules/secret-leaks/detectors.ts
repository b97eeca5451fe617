/**
 * Detectors of secrets in plain text. Each takes a value (and its key name) and says whether it
 * holds a secret; none returns or keeps the matched text. Cheap substring checks guard every regex.
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

const PEM = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const AWS_KEY_ID = /(?:^|[^A-Z0-9])(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}(?![A-Z0-9])/;
const AWS_SECRET = /(?:^|[^A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;
const GCP_TYPE = /"type"\s*:\s*"service_account"/;
const AZURE = /(?:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*[A-Za-z0-9+/%=]{16,}/i;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const URL_PASSWORD = /[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"]+:([^\s@/'"]+)@/gi;

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
export function detectPatterns(value: string, enabled: ReadonlySet<DetectorId>): DetectorId[] {
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

function hasUrlPassword(value: string): boolean {
  URL_PASSWORD.lastIndex = 0;
  for (let m = URL_PASSWORD.exec(value); m; m = URL_PASSWORD.exec(value)) {
    if (!isPlaceholder(decodeSafe(m[1]!))) return true;
  }
  return false;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Reports whether a value under this key name looks like a real secret by its entropy. */
export function detectEntropy(key: string, value: string, opts: EntropyOptions): boolean {
  if (!opts.keyPattern.test(key)) return false;
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
