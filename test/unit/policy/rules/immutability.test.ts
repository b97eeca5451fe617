import assert from 'node:assert/strict';
import { loadFixtures, runFixture } from './fixtures.js';
import { fixtureSuite } from './suite.js';

fixtureSuite('immutability');

describe('immutability rule', () => {
  it('never names changed values, only keys', () => {
    const fx = loadFixtures('immutability', 'disallowed').find((f) => f.file.endsWith('managed-data-edit.yaml'))!;
    const out = runFixture('immutability', fx);
    assert.ok(Array.isArray(out));
    const text = out.map((v) => v.message).join('\n');
    assert.ok(text.includes('keys changed: a, c'), text);
    assert.ok(!text.includes('VALUE-'), text);
  });

  const rows = [
    { name: 'CREATE ignores old-object checks', operation: 'CREATE' as const, want: 0 },
    { name: 'UPDATE flags the data edit', operation: 'UPDATE' as const, want: 1 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const base = loadFixtures('immutability', 'disallowed').find((f) => f.file.endsWith('managed-data-edit.yaml'))!;
      const out = runFixture('immutability', { ...base, operation: row.operation });
      assert.ok(Array.isArray(out));
      assert.equal(out.length, row.want);
    });
  }
});
