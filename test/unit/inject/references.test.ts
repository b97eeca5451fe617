/**
 * Parsing of secret and config references: store refs with key and version, bare ConfigMap names,
 * and the messages for every malformed shape.
 */
import assert from 'node:assert/strict';
import { parseConfigSources, parseStoreRef } from '../../../webhook/inject/references.js';

const KEY = 'bulwark.dev/secret.db';

describe('inject/references: parseStoreRef', () => {
  const good = [
    { name: 'store and path', input: 'vault:kv/data/app', want: { store: 'vault', path: 'kv/data/app' } },
    { name: 'key', input: 'vault:kv/data/app#password', want: { store: 'vault', path: 'kv/data/app', key: 'password' } },
    { name: 'key and version', input: 'vault:kv/data/app#password@3', want: { store: 'vault', path: 'kv/data/app', key: 'password', version: '3' } },
    { name: 'version only', input: 'aws:prod/db@AWSCURRENT', want: { store: 'aws', path: 'prod/db', version: 'AWSCURRENT' } },
    { name: 'SSM leading slash', input: 'ssm:/app/prod/db-password', want: { store: 'ssm', path: '/app/prod/db-password' } },
    { name: 'kubernetes secret', input: 'kubernetes:secret/db-creds#password', want: { store: 'kubernetes', path: 'secret/db-creds', key: 'password' } },
    { name: 'surrounding space trimmed', input: '  vault:kv/a  ', want: { store: 'vault', path: 'kv/a' } },
  ];
  for (const row of good) it(`accepts ${row.name}`, () => assert.deepEqual(parseStoreRef(KEY, row.input).value, row.want));

  const bad = [
    { name: 'no store', input: 'kv/data/app', want: /has no store; use <store>:<path>/ },
    { name: 'empty store', input: ':kv/app', want: /has no store/ },
    { name: 'uppercase store', input: 'Vault:kv/app', want: /store name "Vault" is not valid/ },
    { name: 'dot-dot segment', input: 'vault:kv/../other', want: /must not contain empty, "\." or "\.\." segments/ },
    { name: 'doubled separator', input: 'vault:kv//other', want: /must not contain empty/ },
    { name: 'encoded separator', input: 'vault:kv%2Fother', want: /may only contain/ },
    { name: 'space', input: 'vault:kv/a b', want: /may only contain/ },
    { name: 'empty path', input: 'vault:', want: /1-512 characters/ },
    { name: 'bad key', input: 'vault:kv/a#pass word', want: /key "pass word" is not valid/ },
    { name: 'empty version', input: 'vault:kv/a@', want: /version "" is not valid/ },
    { name: 'kubernetes path of another kind', input: 'kubernetes:serviceaccount/x', want: /secret\/<name> or configmap\/<name>/ },
    { name: 'kubernetes object name invalid', input: 'kubernetes:secret/Bad_Name', want: /secret\/<name> or configmap\/<name>/ },
  ];
  for (const row of bad) {
    it(`rejects ${row.name}`, () => {
      const p = parseStoreRef(KEY, row.input);
      assert.equal(p.value, undefined);
      assert.equal(p.error?.field, KEY);
      assert.equal(p.error?.code, 'ANNOTATION_INVALID');
      assert.match(p.error!.message, row.want);
    });
  }
});

describe('inject/references: parseConfigSources', () => {
  it('keeps the order (later wins) and maps bare names to ConfigMaps in the kubernetes store', () => {
    const p = parseConfigSources('bulwark.dev/config.app.yaml', 'base, env-prod#app.yaml ,consul:team/app');
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.value, [
      { store: 'kubernetes', path: 'configmap/base' },
      { store: 'kubernetes', path: 'configmap/env-prod', key: 'app.yaml' },
      { store: 'consul', path: 'team/app' },
    ]);
  });

  it('reports every bad entry, each naming the annotation', () => {
    const p = parseConfigSources('bulwark.dev/config.app', 'Base_Map, ok, vault:../x, a#b#c');
    assert.equal(p.errors.length, 3);
    assert.ok(p.errors.every((e) => e.field === 'bulwark.dev/config.app'));
    assert.match(p.errors[0]!.message, /"Base_Map" is neither a ConfigMap name nor a store reference/);
    assert.match(p.errors[1]!.message, /segments/);
    assert.match(p.errors[2]!.message, /"a#b#c" is neither/);
  });

  it('rejects an empty list and too many sources', () => {
    assert.match(parseConfigSources('k', ' , ').errors[0]!.message, /is empty/);
    assert.match(parseConfigSources('k', Array.from({ length: 17 }, (_, i) => `m${i}`).join(',')).errors[0]!.message, /use at most 16/);
  });
});
