/**
 * Merged config layers: each source is turned into a plain object and the layers are deep-merged
 * in order, later wins (maps merge key by key, everything else is replaced).
 *
 * Which text is parsed as a document (never guessed for secret content):
 * - a map (Vault KV, a Kubernetes Secret, a `#key` holding a nested map) is used as it is;
 * - a value picked with `#key` is a scalar under that key, unless the key names a document file
 *   (`app.json`, `app.yaml`/`.yml`, `.env`, `.properties`): then it is parsed in that format;
 * - a whole value whose path names a document file is parsed in that format;
 * - any other whole value of a `config` file is auto-detected (JSON, YAML, KEY=value, .properties);
 * - any other whole value of a `secret` file is parsed only when it is a JSON object, else it is a
 *   scalar under the last path segment.
 * Parse failures never quote the text or its keys.
 */
import YAML from 'yaml';
import dotenv from 'dotenv';
import { getProperties } from 'properties-file';
import { SidecarError } from '../errors.js';
import type { FileSpec, SourceRef } from '../spec/types.js';
import type { FetchedValue } from '../providers/types.js';

/** One fetched layer of a file. */
export interface Layer {
  ref: SourceRef;
  value: FetchedValue['value'];
}

/** The document formats a key or path can name by its extension. */
type DocFormat = 'json' | 'yaml' | 'env' | 'properties';

const KV_LINE = /^\s*(#.*|!.*|(export\s+)?[A-Za-z0-9_.-]+\s*[=:].*)?$/;
const EXTENSIONS: Array<[RegExp, DocFormat]> = [
  [/\.json$/i, 'json'],
  [/\.ya?ml$/i, 'yaml'],
  [/\.env$/i, 'env'],
  [/\.properties$/i, 'properties'],
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** The document format a key or file name announces by its extension (`app.json`, `.env`...), if any. */
export function documentFormatOf(name: string): DocFormat | undefined {
  return EXTENSIONS.find(([re]) => re.test(name))?.[1];
}

function where(ref: SourceRef): string {
  return `${ref.store}:${ref.path}${ref.key !== undefined ? `#${ref.key}` : ''}`;
}

/** Parses text in a named format; throws RENDER_FAILED (without any of the text) unless it yields a map. */
function parseDocument(text: string, format: DocFormat, ref: SourceRef): Record<string, unknown> {
  let parsed: unknown;
  try {
    if (format === 'json') parsed = JSON.parse(text);
    else if (format === 'yaml') parsed = YAML.parse(text);
    else if (format === 'env') parsed = { ...dotenv.parse(text) };
    else parsed = { ...getProperties(text) };
  } catch {
    parsed = undefined;
  }
  if (!isPlainObject(parsed)) throw new SidecarError('RENDER_FAILED', `value of ${where(ref)} is named as a ${format} document but is not a ${format} map; fix the stored value or pick a key`, { store: ref.store, path: ref.path });
  return parsed;
}

/** Guesses the format of a config document: JSON, YAML, KEY=value or .properties; undefined when it is none of them. */
function detectDocument(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      // fall through to YAML
    }
  }
  try {
    const parsed: unknown = YAML.parse(text);
    if (isPlainObject(parsed)) return parsed;
  } catch {
    // not YAML: try key=value text below
  }
  const lines = text.split(/\r?\n/);
  if (trimmed.includes('=') && lines.every((l) => KV_LINE.test(l))) {
    return /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/m.test(text) ? { ...dotenv.parse(text) } : { ...getProperties(text) };
  }
  return undefined;
}

/** Parses text as a JSON object only (unambiguous, so safe for secret values); undefined otherwise. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Returns a copy of a map whose byte values (Kubernetes Secret data) are UTF-8 text, for the text formats. */
export function bytesAsText(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : isPlainObject(v) ? bytesAsText(v) : v]));
}

/** Turns one fetched value into an object following the rules at the top of this module. */
export function layerToObject(layer: Layer, kind: FileSpec['kind'] = 'config'): Record<string, unknown> {
  const { value, ref } = layer;
  if (isPlainObject(value)) return bytesAsText(value);
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (ref.key !== undefined) {
    const format = documentFormatOf(ref.key);
    return format ? parseDocument(text, format, ref) : { [ref.key]: text };
  }
  const name = ref.path.split('/').filter(Boolean).pop() ?? 'value';
  const format = documentFormatOf(name);
  if (format) return parseDocument(text, format, ref);
  const doc = kind === 'config' ? detectDocument(text) : jsonObject(text);
  return doc ?? { [name]: text };
}

/** Deep-merges b over a; returns a new object, neither input is changed. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
    // defineProperty: keys named __proto__, constructor or prototype are kept as the data they are
    // (they used to be dropped), and never reach a prototype.
    Object.defineProperty(out, k, { value: isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Merges every layer of a file of the given kind in order, later wins. */
export function mergeLayers(layers: readonly Layer[], kind: FileSpec['kind'] = 'config'): Record<string, unknown> {
  if (layers.length === 0) throw new SidecarError('RENDER_FAILED', 'a file needs at least one source');
  return layers.reduce<Record<string, unknown>>((acc, l) => deepMerge(acc, layerToObject(l, kind)), {});
}
