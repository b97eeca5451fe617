/**
 * The prefix rule is a tenancy boundary: the webhook (admission, tenancy grants) calls
 * isUnderPrefix itself; the sidecar's fetch-time scope (enforcePathScope) and the Vault provider's
 * check wrap it. All of them run the same table and must agree.
 */
import assert from 'node:assert/strict';
import { isUnderPrefix, STORE_PREFIX_CASES } from '../../../contract/store-path.js';
import { enforcePathScope } from '../../../sidecar/core/path-scope.js';
import { enforceVaultScope } from '../../../sidecar/providers/vault.js';

const sidecarScope = (path: string, prefix: string): boolean => {
  try {
    enforcePathScope(path, [prefix], 'store');
    return true;
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'OUT_OF_SCOPE');
    return false;
  }
};
const vaultScope = (path: string, prefix: string): boolean => {
  try {
    enforceVaultScope(path, 2, [prefix], 'vault');
    return true;
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'OUT_OF_SCOPE');
    return false;
  }
};

describe('contract: store path under prefix, one rule on both sides', () => {
  const sides: Array<[string, (path: string, prefix: string) => boolean]> = [
    ['contract isUnderPrefix', isUnderPrefix],
    ['sidecar enforcePathScope', sidecarScope],
  ];
  for (const [path, prefix, want] of STORE_PREFIX_CASES) {
    it(`${JSON.stringify(path)} ${want ? 'is' : 'is not'} under ${JSON.stringify(prefix)} for every side`, () => {
      for (const [name, fn] of sides) assert.equal(fn(path, prefix), want, name);
      // the Vault provider's check: API-form prefixes of a tenant (three segments or more)
      if (prefix.startsWith('secret/data/') || prefix.startsWith('/secret/data/')) assert.equal(vaultScope(path, prefix), want, 'sidecar enforceVaultScope');
    });
  }

  it('a leading "/" no longer splits the sides (the webhook refused what the sidecar allowed)', () => {
    assert.equal(isUnderPrefix('/secret/data/team-a/db', 'secret/data/team-a/'), true);
    assert.equal(sidecarScope('/secret/data/team-a/db', 'secret/data/team-a/'), true);
    assert.equal(isUnderPrefix('anything', ''), true, 'the empty prefix contains every path, as in the sidecar');
  });
});
