/**
 * Store path normalisation and prefix tests used by every tenancy check.
 */
import assert from 'node:assert/strict';
import { isUnderPrefix } from '../../../contract/store-path.js';
import { checkStorePath, differsOnlyInCase } from '../../../webhook/tenancy/path.js';

describe('tenancy/path: checkStorePath', () => {
  const rows: Array<{ name: string; input: string; want: string | RegExp }> = [
    { name: 'plain path', input: 'secret/data/shop/db', want: 'secret/data/shop/db' },
    { name: 'one leading slash (SSM)', input: '/shop/db', want: '/shop/db' },
    { name: 'allowed punctuation', input: 'a/b_c.d-e+f=g,h', want: 'a/b_c.d-e+f=g,h' },
    { name: 'dot-dot', input: 'a/../b', want: /found "\.\."/ },
    { name: 'dot', input: 'a/./b', want: /found "\."/ },
    { name: 'trailing slash is an empty segment', input: 'a/b/', want: /empty segment/ },
    { name: 'two leading slashes', input: '//a', want: /doubled separator/ },
    { name: 'doubled inside', input: 'a//b', want: /doubled separator/ },
    { name: 'encoded slash upper', input: 'a%2Fb', want: /"%2F"/ },
    { name: 'encoded slash lower', input: 'a%2fb', want: /"%2f"/ },
    { name: 'encoded backslash', input: 'a%5Cb', want: /"%5C"/ },
    { name: 'encoded percent', input: 'a%25b', want: /"%25"/ },
    { name: 'backslash', input: 'a\\b', want: /backslash/ },
    { name: 'NUL', input: 'a\u0000b', want: /control character/ },
    { name: 'fullwidth letters (NFKC)', input: '\uff53hop/db', want: /U\+FF53 which Unicode normalises \(NFKC\) to "s"/ },
    { name: 'one dot leader (NFKC to ".")', input: 'a/\u2024\u2024/b', want: /U\+2024 which Unicode normalises \(NFKC\) to "\."/ },
    { name: 'Cyrillic a', input: 'p\u0430yments/db', want: /non-ASCII character U\+0430/ },
    { name: 'Greek omicron', input: 'sh\u03bfp', want: /non-ASCII character U\+03BF/ },
    { name: 'zero-width space', input: 'shop\u200b/db', want: /non-ASCII character U\+200B/ },
    { name: 'space', input: 'a b', want: /no spaces/ },
    { name: 'empty', input: '', want: /1-512 characters/ },
    { name: 'too long', input: 'a'.repeat(513), want: /1-512 characters/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const r = checkStorePath(row.input);
      if (typeof row.want === 'string') assert.deepEqual(r, { value: row.want });
      else {
        assert.ok('problem' in r, `accepted ${JSON.stringify(row.input)}`);
        assert.match(r.problem, row.want);
      }
    });
  }
});

describe('tenancy/path: prefixes', () => {
  const rows: Array<{ path: string; prefix: string; under: boolean; caseOnly: boolean }> = [
    { path: 'kv/a/x', prefix: 'kv/a/', under: true, caseOnly: false },
    { path: 'kv/a', prefix: 'kv/a/', under: true, caseOnly: false },
    { path: 'kv/ab', prefix: 'kv/a/', under: false, caseOnly: false },
    { path: '/kv/a/x', prefix: 'kv/a', under: true, caseOnly: false },
    { path: 'KV/A/x', prefix: 'kv/a/', under: false, caseOnly: true },
    { path: 'kv/b/x', prefix: 'kv/a/', under: false, caseOnly: false },
  ];
  for (const r of rows) {
    it(`${r.path} vs ${r.prefix}`, () => {
      assert.equal(isUnderPrefix(r.path, r.prefix), r.under);
      assert.equal(differsOnlyInCase(r.path, r.prefix), r.caseOnly);
    });
  }
});
