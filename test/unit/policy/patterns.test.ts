/**
 * Patterns in ConfigPolicies: globs match in linear time whatever their shape; regular-expression
 * parameters that could backtrack for ever, and any regular expression in a namespaced (tenant-written)
 * ConfigPolicy, are refused when the policy is validated.
 */
import assert from 'node:assert/strict';
import { validateDocument } from '../../../webhook/policy/validate-document.js';
import { matchesAnyGlob } from '../../../webhook/policy/rules/objects.js';
import { globProblem, matchGlob, regexProblem, MAX_GLOB_STARS } from '../../../webhook/policy/rules/patterns.js';
import { DEFAULT_NAME_PATTERN } from '../../../webhook/policy/rules/immutability/params.js';
import { SECRET_LEAKS_DEFAULTS } from '../../../webhook/policy/rules/secret-leaks/params.js';
import { runFixture } from './rules/fixtures.js';

const stars = (n: number) => `${'a*'.repeat(n)}b`;

describe('policy patterns: globs', () => {
  const rows = [
    { glob: 'app-*', value: 'app-config', want: true },
    { glob: 'app-*', value: 'app-', want: true },
    { glob: 'app-*', value: 'ap', want: false },
    { glob: '*', value: '', want: true },
    { glob: '*-v*', value: 'cm-v2', want: true },
    { glob: 'kubectl.kubernetes.io/*', value: 'kubectl.kubernetes.io/last-applied-configuration', want: true },
    { glob: 'a*b*c', value: 'abxbxc', want: true },
    { glob: 'a*b*c', value: 'abxbxcx', want: false },
    { glob: '*.*', value: 'no-dot', want: false },
    { glob: 'x.y', value: 'xzy', want: false },
    { glob: '[a]*', value: '[a]b', want: true },
    { glob: '**', value: 'anything', want: true },
  ];
  for (const row of rows) it(`"${row.glob}" vs "${row.value}" -> ${row.want}`, () => assert.equal(matchGlob(row.glob, row.value), row.want));

  it(`adversarial: a glob with ${MAX_GLOB_STARS} wildcards against 253 (and 100 000) characters that almost match`, () => {
    // As an anchored regex (^a.*a.*...b$) this took longer than any timeout: C(253, 16) ways to split.
    assert.equal(matchesAnyGlob('a'.repeat(253), [stars(MAX_GLOB_STARS)]), false);
    assert.equal(matchesAnyGlob(`${'a'.repeat(252)}b`, [stars(MAX_GLOB_STARS)]), true);
    assert.equal(matchGlob(stars(MAX_GLOB_STARS), 'a'.repeat(100_000)), false);
  });

  it('limits a glob to 16 wildcards and 512 characters', () => {
    assert.equal(globProblem(stars(16)), undefined);
    assert.match(globProblem(stars(17))!, /with 17 wildcards; use at most 16 "\*"/);
    assert.match(globProblem('x'.repeat(513))!, /use at most 512/);
  });
});

describe('policy patterns: regular-expression parameters', () => {
  const accepted = [DEFAULT_NAME_PATTERN, SECRET_LEAKS_DEFAULTS.secretKeyPattern, '^test-[a-z0-9]+$', '(foo)?bar+', '[(+*)]+x', '\\(a+\\)+', '^AKIA[0-9A-Z]{16}$', '(?:ab){2}c*', '(?<!x)y+'];
  for (const src of accepted) it(`accepts /${src}/`, () => assert.equal(regexProblem(src), undefined));

  const refused: Array<[string, RegExp]> = [
    ['(a+)+$', /repeats a group that holds a quantifier/],
    ['(a*)*', /repeats a group that holds a quantifier/],
    ['(a+)*b', /repeats a group that holds a quantifier/],
    ['(\\w+\\s?)+$', /repeats a group that holds a quantifier/],
    ['((a)?)+', /repeats a group that holds a quantifier/],
    ['(?:a{2,}){2,}', /repeats a group that holds a quantifier/],
    ['(?:x(?:[a-z]+))+', /repeats a group that holds a quantifier/],
    ['(a|ab)*c', /repeats a group that holds an alternation/],
    ['(a)\\1', /backreference/],
    ['(?<x>a)\\k<x>', /named backreference/],
    ['a'.repeat(257), /of 257 characters; use at most 256/],
    ['(a', /is not a valid regular expression/],
  ];
  for (const [src, want] of refused) it(`refuses /${src.slice(0, 30)}/`, () => assert.match(regexProblem(src) ?? '', want));
});

function policy(namespace: string | undefined, rules: unknown[], match?: unknown): unknown {
  return { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: namespace ? { name: 'p', namespace } : { name: 'p' }, spec: { mode: 'enforce', ...(match ? { match } : {}), rules } };
}

describe('policy patterns: ConfigPolicy validation', () => {
  const rows: Array<{ name: string; doc: unknown; want: Array<[string, RegExp]> }> = [
    { name: 'cluster policy with safe regexes', doc: policy(undefined, [{ rule: 'secret-leaks', params: { allowPatterns: ['^fixture-'], secretKeyPattern: 'pass$' } }, { rule: 'immutability', params: { namePattern: '-v[0-9]+$' } }]), want: [] },
    { name: 'cluster policy with a nested quantifier', doc: policy(undefined, [{ rule: 'secret-leaks', params: { allowPatterns: ['^ok$', '(a+)+$'] } }]), want: [['/spec/rules/0/params/allowPatterns/1', /repeats a group that holds a quantifier/]] },
    { name: 'cluster policy with a backreference name pattern', doc: policy(undefined, [{ rule: 'immutability', params: { namePattern: '(x)\\1' } }]), want: [['/spec/rules/0/params/namePattern', /backreference/]] },
    {
      name: 'namespaced policy with any regex parameter',
      doc: policy('shop-prod', [{ rule: 'secret-leaks', params: { allowKeys: ['DB_*'], secretKeyPattern: 'pass$' } }, { rule: 'immutability', params: { namePattern: '-v[0-9]+$' } }]),
      want: [
        ['/spec/rules/0/params/secretKeyPattern', /regular expressions are not accepted in a namespaced ConfigPolicy .*use the glob parameters \(such as allowKeys\)/],
        ['/spec/rules/1/params/namePattern', /not accepted in a namespaced ConfigPolicy/],
      ],
    },
    { name: 'namespaced policy with globs only', doc: policy('shop-prod', [{ rule: 'secret-leaks', params: { allowKeys: ['DB_*', '*_URL'] } }], { names: ['app-*'] }), want: [] },
    {
      name: 'namespaced policy with too many wildcards',
      doc: policy('shop-prod', [{ rule: 'secret-leaks', params: { allowKeys: [stars(17)] } }, { rule: 'secret-hygiene', params: { allowContainers: ['x'.repeat(600)] } }], { names: [stars(20)], namespaces: ['ok-*'] }),
      want: [
        ['/spec/match/names/0', /20 wildcards/],
        ['/spec/rules/0/params/allowKeys/0', /17 wildcards/],
        ['/spec/rules/1/params/allowContainers/0', /600 characters/],
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const r = validateDocument(row.doc, 'test');
      assert.deepEqual(r.errors.map((e) => e.path), row.want.map(([p]) => p));
      row.want.forEach(([, re], i) => assert.match(r.errors[i]!.message, re));
      assert.equal(r.doc !== undefined, row.want.length === 0);
    });
  }
});

describe('policy patterns: rules stay fast with the worst accepted glob', () => {
  it('secret-leaks allowKeys with 16 wildcards against a 253-character data key', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'a' }, data: { ['a'.repeat(253)]: 'v' } };
    const out = runFixture('secret-leaks', { file: 'inline', object, params: { allowKeys: [stars(16)] } });
    assert.deepEqual(out, []);
  });
});
