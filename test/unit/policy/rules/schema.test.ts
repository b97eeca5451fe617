import assert from 'node:assert/strict';
import { formatOfKey, parseContent, parseFormatAnnotation } from '../../../../webhook/policy/rules/schema/content.js';
import { parseSchemaAnnotation } from '../../../../webhook/policy/rules/schema/rule.js';
import { fixtureSuite } from './suite.js';

fixtureSuite('schema');

describe('schema rule helpers', () => {
  const annotationRows = [
    { name: 'whole object', input: 'app-config', want: { whole: 'app-config', keys: [] } },
    { name: 'per key with spaces', input: 'a.json=s1, b.yaml = s2', want: { whole: undefined, keys: [['a.json', 's1'], ['b.yaml', 's2']] } },
    { name: 'empty', input: '  ', want: { whole: undefined, keys: [] } },
  ];
  for (const row of annotationRows) {
    it(`parses bulwark.dev/schema: ${row.name}`, () => {
      const got = parseSchemaAnnotation(row.input);
      assert.equal(got.whole, row.want.whole);
      assert.deepEqual([...got.keys], row.want.keys);
    });
  }

  const formatRows = [
    { key: 'app.json', ann: undefined, want: 'json' },
    { key: 'app.YML', ann: undefined, want: 'yaml' },
    { key: '.env', ann: undefined, want: 'env' },
    { key: 'prod.env', ann: undefined, want: 'env' },
    { key: 'db.cfg', ann: undefined, want: 'ini' },
    { key: 'settings', ann: 'yaml', want: 'yaml' },
    { key: 'settings', ann: 'settings=properties', want: 'properties' },
    { key: 'settings', ann: 'bogus', want: undefined },
  ];
  for (const row of formatRows) {
    it(`format of ${row.key} with annotation ${row.ann}`, () => {
      assert.equal(formatOfKey(row.key, parseFormatAnnotation(row.ann)), row.want);
    });
  }

  const parseRows = [
    { name: 'json', text: '{"a": 1}', format: 'json' as const, want: { a: 1 } },
    { name: 'yaml', text: 'a: [1, 2]\n', format: 'yaml' as const, want: { a: [1, 2] } },
    { name: 'properties', text: 'a.b=c\n# comment\n', format: 'properties' as const, want: { 'a.b': 'c' } },
    { name: 'env', text: 'A=1\nB="two"\n', format: 'env' as const, want: { A: '1', B: 'two' } },
    { name: 'ini', text: '[s]\nk = v\n', format: 'ini' as const, want: { s: { k: 'v' } } },
  ];
  for (const row of parseRows) {
    it(`parses ${row.name}`, () => {
      assert.deepEqual(parseContent(row.text, row.format), { ok: true, value: row.want });
    });
  }

  it('reports a JSON parse error without quoting the content', () => {
    const got = parseContent('{"password": "hunter2hunter2"', 'json');
    assert.equal(got.ok, false);
    assert.ok(!JSON.stringify(got).includes('hunter2'));
  });

  it('parses YAML with a few aliases on the fast path', () => {
    assert.deepEqual(parseContent('base: &b {port: 80}\nweb: *b\n', 'yaml'), { ok: true, value: { base: { port: 80 }, web: { port: 80 } } });
  });

  it('reports invalid YAML with its line and without quoting the content', () => {
    const got = parseContent('ok: 1\npassword: "hunter2hunter2\n', 'yaml');
    assert.equal(got.ok, false);
    assert.match(JSON.stringify(got), /invalid YAML at line \d/);
    assert.ok(!JSON.stringify(got).includes('hunter2'));
  });

  it('rejects duplicate YAML keys', () => {
    assert.equal(parseContent('a: 1\na: 2\n', 'yaml').ok, false);
  });

  it('does not blow up on YAML alias bombs', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n';
    const got = parseContent(bomb, 'yaml');
    assert.equal(got.ok, false);
  });
});
