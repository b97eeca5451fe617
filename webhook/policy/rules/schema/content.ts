/**
 * Parses configuration content (JSON, YAML, .properties, .env, INI) into a value a JSON Schema can
 * check, and works out each key's format from its suffix or the bulwark.dev/format annotation.
 */
import { parse as parseDotenv } from 'dotenv';
import { parse as parseIni } from 'ini';
import { getProperties } from 'properties-file';
import jsyaml from 'js-yaml';
import { parseDocument } from 'yaml';

/** The content formats Bulwark understands. */
export type ContentFormat = 'json' | 'yaml' | 'properties' | 'env' | 'ini';

const SUFFIXES: Array<[RegExp, ContentFormat]> = [
  [/\.json$/i, 'json'],
  [/\.ya?ml$/i, 'yaml'],
  [/\.properties$/i, 'properties'],
  [/(^|\.)env$/i, 'env'],
  [/\.(ini|cfg)$/i, 'ini'],
];

const FORMATS = new Set<string>(['json', 'yaml', 'properties', 'env', 'ini']);

/** Parses the bulwark.dev/format annotation: "yaml" (every key) or "key=format,key2=format". */
export function parseFormatAnnotation(value: string | undefined): { all?: ContentFormat; keys: Map<string, ContentFormat> } {
  const keys = new Map<string, ContentFormat>();
  if (!value) return { keys };
  const trimmed = value.trim();
  if (!trimmed.includes('=')) return FORMATS.has(trimmed) ? { all: trimmed as ContentFormat, keys } : { keys };
  for (const part of trimmed.split(',')) {
    const [k, f] = part.split('=').map((s) => s.trim());
    if (k && f && FORMATS.has(f)) keys.set(k, f as ContentFormat);
  }
  return { keys };
}

/** The format of one key: the annotation's per-key entry, then the suffix, then the annotation's or the schema's default. */
export function formatOfKey(
  key: string,
  annotation: { all?: ContentFormat; keys: Map<string, ContentFormat> },
  fallback?: ContentFormat,
): ContentFormat | undefined {
  const explicit = annotation.keys.get(key);
  if (explicit) return explicit;
  for (const [re, f] of SUFFIXES) if (re.test(key)) return f;
  return annotation.all ?? fallback;
}

/** The outcome of parsing one value: the parsed value, or a parse error message (never the content). */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses text in a format; properties, env and INI give objects of strings. */
export function parseContent(text: string, format: ContentFormat): Parsed {
  try {
    switch (format) {
      case 'json':
        return { ok: true, value: JSON.parse(text) };
      case 'yaml': {
        // js-yaml is several times faster on the admission path; content with many aliases takes the
        // slower parser, which bounds alias expansion (no "billion laughs").
        if (aliasCount(text) <= MAX_FAST_ALIASES) {
          try {
            return { ok: true, value: jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, json: false }) };
          } catch (err) {
            const line = (err as { mark?: { line?: number } }).mark?.line;
            return { ok: false, error: `invalid YAML${line !== undefined ? ` at line ${line + 1}` : ''}` };
          }
        }
        const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
        if (doc.errors.length) return { ok: false, error: `invalid YAML at line ${lineOf(doc.errors[0]!.linePos)}` };
        return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
      }
      case 'properties':
        return PROTO_KEY.test(text) ? protoKeyError(format) : { ok: true, value: getProperties(text) };
      case 'env':
        return PROTO_KEY.test(text) ? protoKeyError(format) : { ok: true, value: parseDotenv(text) };
      case 'ini':
        // ini builds null-prototype objects; give JSON Schema plain ones.
        return PROTO_KEY.test(text) ? protoKeyError(format) : { ok: true, value: JSON.parse(JSON.stringify(parseIni(text))) as unknown };
    }
  } catch (err) {
    // JSON.parse messages quote a few characters of input; keep only the position.
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    return { ok: false, error: `invalid ${format.toUpperCase()}${pos ? ` at position ${pos[1]}` : ''}` };
  }
}

/**
 * A `__proto__` key or section in properties, env or INI content: their parsers silently drop it, so
 * a schema could never see it (additionalProperties: false would pass); such content is refused.
 */
const PROTO_KEY = /^[ \t]*(?:export[ \t]+)?\[?[ \t]*__proto__[ \t]*(?:[=:\]]|\s|$)/m;

function protoKeyError(format: ContentFormat): Parsed {
  return { ok: false, error: `the key __proto__ cannot be validated in ${format} content (rename it)` };
}

/** Content with more aliases than this is parsed by the alias-bounded parser. */
export const MAX_FAST_ALIASES = 16;

/** Counts YAML alias tokens (*name) roughly; over-counting only sends content to the safer parser. */
export function aliasCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('*'); i >= 0; i = text.indexOf('*', i + 1)) n++;
  return n;
}

/** Bytes of content the parse cache may hold. */
export const PARSE_CACHE_BYTES = 8 * 1024 * 1024;
const cache = new Map<string, Parsed>();
let cachedBytes = 0;

/**
 * Parses content through a small LRU cache keyed by format and text: the same ConfigMap content is
 * admitted again and again (dry runs, server-side apply, several policies), and YAML parsing dominates
 * the cost of the schema rule. Callers must not mutate the returned value.
 */
export function parseContentCached(text: string, format: ContentFormat): Parsed {
  const key = `${format}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const parsed = parseContent(text, format);
  if (text.length > PARSE_CACHE_BYTES / 16) return parsed;
  cache.set(key, parsed);
  cachedBytes += key.length;
  for (const k of cache.keys()) {
    if (cachedBytes <= PARSE_CACHE_BYTES) break;
    cache.delete(k);
    cachedBytes -= k.length;
  }
  return parsed;
}

/** Empties the parse cache (benchmarks measure the cold cost with it). */
export function clearContentCache(): void {
  cache.clear();
  cachedBytes = 0;
}

function lineOf(pos: Array<{ line: number }> | undefined): string {
  return pos?.[0] ? String(pos[0].line) : '?';
}
