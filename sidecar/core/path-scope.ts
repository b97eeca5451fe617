/**
 * Tenant path-prefix enforcement at fetch time: a source path is normalised strictly (no `..`,
 * no doubled, encoded or look-alike separators) and refused unless it lies under an allowed prefix.
 * Defence in depth: the webhook checks too.
 */
import { isUnderPrefix } from '../../contract/store-path.js';
import { SidecarError } from '../errors.js';

const ENCODED = /%(2f|5c|2e|00|25)/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Normalises a store path (no leading slash; a trailing slash, meaning a hierarchy, is kept) or throws OUT_OF_SCOPE naming the store and what is wrong with it. */
export function normaliseStorePath(path: string, storeName?: string): string {
  const fail = (why: string): never => {
    throw new SidecarError('OUT_OF_SCOPE', `source path "${path}"${storeName ? ` in store ${storeName}` : ''} is refused: ${why}`, { path, ...(storeName ? { store: storeName } : {}) });
  };
  if (path.normalize('NFKC') !== path) fail('it contains Unicode characters that normalise to other characters');
  if (CONTROL.test(path)) fail('it contains control characters');
  if (path.includes('\\')) fail('it contains a backslash');
  if (ENCODED.test(path)) fail('it contains a percent-encoded separator, dot or percent sign');
  const body = path.replace(/^\/+/, '');
  if (body === '') fail('it is empty');
  if (body.includes('//')) fail('it contains a doubled separator');
  const trailing = body.endsWith('/');
  const segments = (trailing ? body.slice(0, -1) : body).split('/');
  if (segments.some((s) => s === '..' || s === '.')) fail('it contains a "." or ".." segment');
  return segments.join('/') + (trailing ? '/' : '');
}

/** Returns the normalised path when it lies under one of the prefixes (all paths when none), else throws OUT_OF_SCOPE. */
export function enforcePathScope(path: string, prefixes: readonly string[] | undefined, storeName: string): string {
  const normal = normaliseStorePath(path, storeName);
  if (!prefixes || prefixes.length === 0) return normal;
  if (prefixes.some((prefix) => isUnderPrefix(normal, prefix))) return normal;
  throw new SidecarError(
    'OUT_OF_SCOPE',
    `source path "${path}" in store ${storeName} is outside the tenant's allowed prefixes (${prefixes.join(', ')}); use a path under one of them`,
    { store: storeName, path },
  );
}
