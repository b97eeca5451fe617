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

  it('an invalid requires-config entry holding a URL with credentials is quoted without them', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', annotations: { 'bulwark.dev/requires-config': 'https://admin:s3cr3t@cfg.example.com/x>=2' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const out = runFixture('references', { file: 'inline', object, authoritative: true });
    assert.ok(Array.isArray(out));
    const text = out.map((v) => v.message).join('\n');
    assert.match(text, /has an invalid entry "https:\/\/\*\*\*@cfg\.example\.com\/x>=2"/);
    assert.ok(!text.includes('s3cr3t') && !text.includes('admin'), text);
  });

  it('compares versions', () => {
    assert.ok(satisfies(3, { name: 'a', op: '>', version: 2 }));
    assert.ok(!satisfies(2, { name: 'a', op: '>', version: 2 }));
    assert.ok(satisfies(2, { name: 'a', op: '<=', version: 2 }));
  });
});
