/**
 * Checks the example EncryptionConfiguration: it encrypts everything Bulwark manages, puts a real
 * provider first and identity last, covers what the end-to-end suite proves encrypted, and holds no
 * real key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../../..');
type Provider = Record<string, any>;
type Config = { apiVersion: string; kind: string; resources: { resources: string[]; providers: Provider[] }[] };
const example = parse(readFileSync(join(ROOT, 'deploy/encryption/encryption-config.yaml'), 'utf8')) as Config;

describe('deploy: example EncryptionConfiguration', () => {
  const rule = example.resources[0]!;
  it('is an apiserver.config.k8s.io/v1 EncryptionConfiguration with one rule', () => {
    assert.equal(example.apiVersion, 'apiserver.config.k8s.io/v1');
    assert.equal(example.kind, 'EncryptionConfiguration');
    assert.equal(example.resources.length, 1);
  });
  for (const r of ['secrets', 'configmaps', 'secretstores.bulwark.dev', 'clustersecretstores.bulwark.dev']) {
    it(`encrypts ${r}`, () => assert.ok(rule.resources.includes(r)));
  }
  it('covers every resource the end-to-end fixture proves encrypted in etcd', () => {
    const fixture = parse(readFileSync(join(ROOT, 'test/e2e/fixtures/encryption-config.yaml'), 'utf8')) as Config;
    for (const r of fixture.resources.flatMap((x) => x.resources)) assert.ok(rule.resources.includes(r), r);
  });
  it('writes with KMS v2 first and reads old plain-text objects through identity last', () => {
    const names = rule.providers.map((p) => Object.keys(p)[0]);
    assert.equal(names[0], 'kms');
    assert.equal(rule.providers[0]!.kms.apiVersion, 'v2');
    assert.equal(names[names.length - 1], 'identity');
  });
  it('holds no real key (the secretbox key is a placeholder, not 32 bytes of base64)', () => {
    for (const p of rule.providers.filter((x) => x.secretbox || x.aescbc || x.aesgcm)) {
      for (const k of (p.secretbox ?? p.aescbc ?? p.aesgcm).keys as { secret: string }[]) {
        const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(k.secret) ? Buffer.from(k.secret, 'base64').length : 0;
        assert.notEqual(bytes, 32, 'a real-looking 32-byte key is committed');
        assert.match(k.secret, /REPLACE/);
      }
    }
  });
});
