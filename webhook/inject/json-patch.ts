/**
 * The one JSON Patch (RFC 6902) module of the injector: pointer escaping (RFC 6901), add/replace/remove
 * helpers, and the missing-array and missing-map cases handled in one place.
 */
import type { PatchOperation } from '../admission/types.js';

/** Escapes one JSON Pointer reference token: "~" becomes "~0", then "/" becomes "~1". */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reverses escapeToken. */
export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Builds a JSON Pointer from unescaped tokens, e.g. pointer('metadata', 'annotations', 'a/b') = /metadata/annotations/a~1b. */
export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => `/${escapeToken(String(t))}`).join('');
}

/** An "add" operation. */
export function addOp(path: string, value: unknown): PatchOperation {
  return { op: 'add', path, value };
}

/** A "replace" operation (the target must exist). */
export function replaceOp(path: string, value: unknown): PatchOperation {
  return { op: 'replace', path, value };
}

/** A "remove" operation (the target must exist). */
export function removeOp(path: string): PatchOperation {
  return { op: 'remove', path };
}

/** Appends values to the array at path; when the array is missing it is added whole. */
export function appendToArray(path: string, existing: unknown, values: unknown[]): PatchOperation[] {
  if (values.length === 0) return [];
  if (!Array.isArray(existing)) return [addOp(path, [...values])];
  return values.map((v) => addOp(`${path}/-`, v));
}

/** Inserts values at the start of the array at path, keeping their order; a missing array is added whole. */
export function prependToArray(path: string, existing: unknown, values: unknown[]): PatchOperation[] {
  if (values.length === 0) return [];
  if (!Array.isArray(existing) || existing.length === 0) return [addOp(path, [...values, ...(Array.isArray(existing) ? existing : [])])];
  return values.map((v, i) => addOp(`${path}/${i}`, v));
}

/** Sets key in the map at path (adding or overwriting the entry); a missing map is added whole. */
export function setMapEntry(path: string, existing: unknown, key: string, value: unknown): PatchOperation {
  if (!isPlainObject(existing)) return addOp(path, { [key]: value });
  return addOp(`${path}/${escapeToken(key)}`, value);
}

/** Sets several keys in the map at path, in the given order; a missing map is added whole with all of them. */
export function setMapEntries(path: string, existing: unknown, entries: Record<string, unknown>): PatchOperation[] {
  if (!isPlainObject(existing)) return [addOp(path, { ...entries })];
  return Object.entries(entries).map(([k, v]) => addOp(`${path}/${escapeToken(k)}`, v));
}

/** Sets a member of an object that is known to exist; "add" creates or overwrites it. */
export function setField(path: string, value: unknown): PatchOperation {
  return addOp(path, value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
