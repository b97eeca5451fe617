/**
 * `#key` selection: picks one key out of a structured value (a map, or JSON text such as an
 * AWS Secrets Manager JSON secret).
 */
import { SidecarError } from '../errors.js';
import type { FetchedValue } from '../providers/types.js';

/** Parses a value as a JSON object when it is text holding one; returns undefined otherwise. */
export function asObject(value: FetchedValue['value']): Record<string, unknown> | undefined {
  if (typeof value === 'object' && !Buffer.isBuffer(value)) return value;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the value of one key, or throws NOT_FOUND naming the key (never the value). */
export function selectKey(value: FetchedValue['value'], key: string, where: { store: string; path: string }): FetchedValue['value'] {
  const obj = asObject(value);
  if (!obj) throw new SidecarError('BAD_RESPONSE', `value at ${where.store}:${where.path} is not a JSON object, so #${key} cannot be selected`, { ...where, key });
  if (!Object.prototype.hasOwnProperty.call(obj, key)) {
    throw new SidecarError('NOT_FOUND', `value at ${where.store}:${where.path} has no key "${key}"`, { ...where, key });
  }
  const v = obj[key];
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  return JSON.stringify(v);
}
