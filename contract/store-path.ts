/**
 * The one rule for "does this store path lie under that prefix", shared by the webhook (admission,
 * tenancy grants) and the sidecar (fetch-time scope, the Vault provider's API-path check). These
 * are tenancy boundaries, so both sides must agree exactly; STORE_PREFIX_CASES is the table every
 * caller's tests run. Pure; imports nothing of webhook/ or sidecar/.
 */

/** Strips leading and trailing "/" so that paths and prefixes compare by segments. */
export function comparablePath(pathOrPrefix: string): string {
  return pathOrPrefix.replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * True when path lies under prefix at a segment boundary: "kv/a/x" and "kv/a" are under "kv/a/",
 * "kv/ab" is not. A leading or trailing "/" on either side does not matter; the empty prefix
 * contains every path; letters are compared exactly (case is never folded).
 */
export function isUnderPrefix(path: string, prefix: string): boolean {
  const p = comparablePath(prefix);
  const c = comparablePath(path);
  return p === '' || c === p || c.startsWith(`${p}/`);
}

/** [path, prefix, under?]: the cases every implementation of a prefix check must agree on. */
export const STORE_PREFIX_CASES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['secret/data/team-a/db', 'secret/data/team-a/', true],
  ['secret/data/team-a/db', 'secret/data/team-a', true],
  ['secret/data/team-a', 'secret/data/team-a/', true],
  ['/secret/data/team-a/db', 'secret/data/team-a/', true],
  ['secret/data/team-a/db', '/secret/data/team-a/', true],
  ['secret/data/team-a/', 'secret/data/team-a/', true],
  ['secret/data/team-ab/db', 'secret/data/team-a/', false],
  ['secret/data/team-ab/db', 'secret/data/team-a', false],
  ['secret/data/team-b/db', 'secret/data/team-a/', false],
  ['secret/data/Team-a/db', 'secret/data/team-a/', false],
  ['secret/data', 'secret/data/team-a/', false],
  ['anything/at/all', '', true],
  ['/shop/prod/db-password', '/shop/prod/', true],
  ['/shop/production/db-password', '/shop/prod/', false],
];
