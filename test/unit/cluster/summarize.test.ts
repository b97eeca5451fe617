import assert from 'node:assert/strict';
import { summarize } from '../../../webhook/cluster/types.js';
import { listSome } from '../../../webhook/util/list.js';

describe('cluster: object summaries and message lists for very large objects', () => {
  it('keeps every key once, data and binaryData together, in first-seen order', () => {
    const s = summarize({ kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' }, data: { x: '1', y: '22' }, binaryData: { y: 'AAAA', z: 'AAAA' } });
    assert.deepEqual(s?.keys, ['x', 'y', 'z']);
    assert.equal(s?.sizeBytes, 1 + 2 + 3 + 3);
  });

  it('summarises a 75,000-key ConfigMap with every key (the shape the attack run used)', () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < 75_000; i++) data[`key-${i}`] = 'v';
    const s = summarize({ kind: 'ConfigMap', metadata: { name: 'big', namespace: 'n' }, data });
    assert.equal(s?.keys.length, 75_000);
    assert.equal(new Set(s?.keys).size, 75_000);
  });

  it('a listed message names at most ten items and says how many more', () => {
    assert.equal(listSome(['a', 'b']), 'a, b');
    const many = Array.from({ length: 75_000 }, (_, i) => `k${i}`);
    const text = listSome(many);
    assert.match(text, /^k0, k1, .*k9 and 74990 more$/);
    assert.ok(text.length < 100);
    assert.equal(listSome([]), '');
  });
});
