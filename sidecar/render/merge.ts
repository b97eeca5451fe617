/**
 * Merged config layers: each source is turned into a plain object and the layers are deep-merged
 * in order, later wins (maps merge key by key, everything else is replaced).
 */
import YAML from 'yaml';
import dotenv from 'dotenv';
import { getProperties } from 'properties-file';
import { SidecarError } from '../errors.js';
import type { SourceRef } from '../spec/types.js';
import type { FetchedValue } from '../providers/types.js';

/** One fetched layer of a file. */
export interface Layer {
  ref: SourceRef;
  value: FetchedValue['value'];
}

const KV_LINE = /^\s*(#.*|!.*|(export\s+)?[A-Za-z0-9_.-]+\s*[=:].*)?$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Turns one fetched value into an object: maps as-is, JSON/YAML/env/properties text parsed, a scalar put under its key or last path segment. */
export function layerToObject(layer: Layer): Record<string, unknown> {
  const { value, ref } = layer;
  if (isPlainObject(value)) return value;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
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
  const name = ref.key ?? ref.path.split('/').filter(Boolean).pop() ?? 'value';
  return { [name]: text };
}

/** Deep-merges b over a; returns a new object, neither input is changed. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** Merges every layer in order, later wins. */
export function mergeLayers(layers: readonly Layer[]): Record<string, unknown> {
  if (layers.length === 0) throw new SidecarError('RENDER_FAILED', 'a file needs at least one source');
  return layers.reduce<Record<string, unknown>>((acc, l) => deepMerge(acc, layerToObject(l)), {});
}
