import assert from 'node:assert/strict';
import { parseRequiresConfig, satisfies } from '../../../../webhook/policy/rules/references/collect.js';
import { loadFixtures, runFixture } from './fixtures.js';
import { fixtureSuite } from './suite.js';

fixtureSuite('references');

describe('references rule', () => {
  it('skips when cluster state is not authoritative', () => {
    const fx = loadFixtures('references', 'disallowed')[0]!;
    assert.deepEqual(Object.keys(runFixture('references', { ...fx, authoritative: false })), ['skip']);
  });

  const rows = [
    { input: 'a>=2', want: [{ name: 'a', op: '>=', version: 2 }], invalid: [] },
    { input: 'a == 1, b<3', want: [{ name: 'a', op: '=', version: 1 }, { name: 'b', op: '<', version: 3 }], invalid: [] },
    { input: 'a>=x, B>1', want: [], invalid: ['a>=x', 'B>1'] },
  ];
  for (const row of rows) {
    it(`parses requires-config "${row.input}"`, () => {
      const got = parseRequiresConfig(row.input);
      assert.deepEqual(got.requirements, row.want);
      assert.deepEqual(got.invalid, row.invalid);
    });
  }

  it('compares versions', () => {
    assert.ok(satisfies(3, { name: 'a', op: '>', version: 2 }));
    assert.ok(!satisfies(2, { name: 'a', op: '>', version: 2 }));
    assert.ok(satisfies(2, { name: 'a', op: '<=', version: 2 }));
  });
});
