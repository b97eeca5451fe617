/**
 * Defence in depth at fetch time: the sidecar re-checks every source path against the prefixes the
 * webhook put in the spec (the tenant's own, then the paths granted to it), so a spec whose sources
 * were edited by hand still cannot read another tenant's secrets. Table-driven over the prefixes the
 * webhook builds for tenant shop.
 */
import assert from 'node:assert/strict';
import { enforcePathScope } from '../../../sidecar/core/path-scope.js';
import { isSidecarError } from '../../../sidecar/errors.js';

const SHOP = ['secret/data/shop/', 'secret/data/payments/public/'];

describe('tenancy: sidecar path scope with tenant and granted prefixes', () => {
  const rows: Array<{ name: string; path: string; want: string | RegExp }> = [
    { name: 'own path', path: 'secret/data/shop/db', want: 'secret/data/shop/db' },
    { name: 'granted path', path: 'secret/data/payments/public/key', want: 'secret/data/payments/public/key' },
    { name: 'the granted sub-tree itself', path: 'secret/data/payments/public', want: 'secret/data/payments/public' },
    { name: 'grant overreach', path: 'secret/data/payments/private/key', want: /outside the tenant's allowed prefixes \(secret\/data\/shop\/, secret\/data\/payments\/public\/\)/ },
    { name: 'granted path used as a string prefix', path: 'secret/data/payments/publicity/key', want: /outside the tenant's allowed prefixes/ },
    { name: 'climbing out of a grant', path: 'secret/data/payments/public/../private/key', want: /"\.\." segment/ },
    { name: 'climbing out of the own prefix', path: 'secret/data/shop/../../data/payments/db', want: /"\.\." segment/ },
    { name: 'encoded climb', path: 'secret/data/shop/%2e%2e/payments', want: /percent-encoded/ },
    { name: 'encoded separator', path: 'secret/data/shop%2f..%2fpayments', want: /percent-encoded/ },
    { name: 'backslash climb', path: 'secret\\data\\payments', want: /backslash/ },
    { name: 'doubled separator', path: 'secret/data//payments/db', want: /doubled separator/ },
    { name: 'fullwidth solidus', path: 'secret/data/shop\uff0f..\uff0fpayments', want: /normalise to other characters/ },
    { name: 'upper-case tenant segment', path: 'secret/data/PAYMENTS/public/key', want: /outside the tenant's allowed prefixes/ },
    { name: 'Cyrillic look-alike outside the prefixes', path: 'secret/data/\u0455hop/db', want: /outside the tenant's allowed prefixes/ },
    { name: 'NUL byte', path: 'secret/data/shop/db\u0000/../../payments', want: /control characters/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      if (typeof row.want === 'string') assert.equal(enforcePathScope(row.path, SHOP, 'vault'), row.want);
      else assert.throws(() => enforcePathScope(row.path, SHOP, 'vault'), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE') && (row.want as RegExp).test((e as Error).message));
    });
  }

  it('trusts the prefixes it is given: an empty list or "/" lets everything through (why admission re-checks the spec)', () => {
    assert.equal(enforcePathScope('secret/data/payments/db', [], 'vault'), 'secret/data/payments/db');
    assert.equal(enforcePathScope('secret/data/payments/db', ['/'], 'vault'), 'secret/data/payments/db');
  });
});
