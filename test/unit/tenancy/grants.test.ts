/**
 * Sharing grants: what a tenant owns, which grants are sound, which grant covers a path, and that
 * unsound grants never widen access.
 */
import assert from 'node:assert/strict';
import { coveringGrant, grantProblem, grantsFrom, grantsTo, kubeObjectGrant, ownPrefixes } from '../../../webhook/tenancy/grants.js';
import { tenancyDocs, tenant } from './fixtures.js';

describe('tenancy/grants', () => {
  it("expands a tenant's own prefixes from its store entry or the store document", () => {
    const d = tenancyDocs();
    assert.deepEqual(ownPrefixes(d, 'shop', 'vault'), ['secret/data/shop/']);
    assert.deepEqual(ownPrefixes(d, 'payments', 'vault'), ['secret/data/payments/'], 'from the ClusterSecretStore');
    assert.deepEqual(ownPrefixes(d, 'shop', 'aws'), [], 'not in its store list');
    assert.deepEqual(ownPrefixes(d, 'legacy', 'aws'), ['/legacy/'], 'no store list: every store, with its prefixes');
  });

  it('flattens grants with {tenant} as the granting tenant and ConfigMaps as kubernetes paths', () => {
    const d = tenancyDocs();
    assert.deepEqual(grantsFrom(d, 'payments').map((g) => [g.store, g.path, g.to]), [['vault', 'secret/data/payments/public/', ['shop']]]);
    assert.deepEqual(grantsTo(d, 'shop').map((g) => [g.from, g.store, g.path]), [
      ['payments', 'vault', 'secret/data/payments/public/'],
      ['platform', 'kubernetes', 'configmap/platform-ca'],
      ['platform', 'kubernetes', 'configmap/platform-endpoints'],
    ]);
  });

  const problems: Array<{ name: string; grant: NonNullable<ReturnType<typeof tenant>['spec']['grants']>[number]; want: RegExp | undefined }> = [
    { name: 'own sub-tree', grant: { to: ['shop'], store: 'vault', paths: ['secret/data/{tenant}/shared/'] }, want: undefined },
    { name: "another tenant's sub-tree", grant: { to: ['shop'], store: 'vault', paths: ['secret/data/payments/'] }, want: /outside tenant ops's own prefixes \(secret\/data\/ops\/\)/ },
    { name: 'a parent of its own prefix', grant: { to: ['shop'], store: 'vault', paths: ['secret/data/'] }, want: /outside tenant ops's own prefixes/ },
    { name: 'to itself', grant: { to: ['ops'], store: 'vault', paths: ['secret/data/ops/x/'] }, want: /names its own tenant/ },
    { name: 'a traversal path', grant: { to: ['shop'], store: 'vault', paths: ['secret/data/ops/../payments/'] }, want: /found "\.\."/ },
    { name: 'a store it may not use', grant: { to: ['shop'], store: 'aws', paths: ['/ops/'] }, want: /outside tenant ops's own prefixes \(none\)/ },
  ];
  for (const row of problems) {
    it(`grant of ${row.name}: ${row.want ? 'refused' : 'sound'}`, () => {
      const d = tenancyDocs();
      d.tenants.set('ops', tenant('ops', { stores: [{ name: 'vault' }], grants: [row.grant] }));
      const [g] = grantsFrom(d, 'ops');
      const p = grantProblem(d, g!);
      if (row.want) {
        assert.match(p ?? '', row.want);
        assert.equal(coveringGrant(d, 'shop', g!.store, g!.path.replace(/\/$/, '/x')), undefined, 'an unsound grant covers nothing');
      } else {
        assert.equal(p, undefined);
        assert.equal(coveringGrant(d, 'shop', 'vault', 'secret/data/ops/shared/x')?.from, 'ops');
      }
    });
  }

  it('finds the ConfigMap grant of an owner for one tenant only', () => {
    const d = tenancyDocs();
    assert.equal(kubeObjectGrant(d, 'platform', 'shop', 'ConfigMap', 'platform-ca')?.from, 'platform');
    assert.equal(kubeObjectGrant(d, 'platform', 'legacy', 'ConfigMap', 'platform-ca'), undefined);
    assert.equal(kubeObjectGrant(d, 'platform', 'shop', 'Secret', 'platform-ca'), undefined);
    assert.equal(kubeObjectGrant(d, 'platform', undefined, 'ConfigMap', 'platform-ca'), undefined);
  });
});
