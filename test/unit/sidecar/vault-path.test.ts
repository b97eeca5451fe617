import assert from 'node:assert/strict';
import { enforceVaultScope, vaultApiPath } from '../../../sidecar/providers/vault.js';
import { isSidecarError } from '../../../sidecar/errors.js';

describe('vault API paths', () => {
  const rows: Array<{ name: string; path: string; kv: 1 | 2; version?: string; want: string }> = [
    { name: 'KV v2, API form (as policies and tenant prefixes write it)', path: 'secret/data/team-a/db', kv: 2, want: '/v1/secret/data/team-a/db' },
    { name: 'KV v2, logical form (as vault kv get takes it)', path: 'secret/team-a/db', kv: 2, want: '/v1/secret/data/team-a/db' },
    { name: 'KV v2 with a pinned version', path: 'kv/data/app', kv: 2, version: '3', want: '/v1/kv/data/app?version=3' },
    { name: 'KV v2, leading slash', path: '/kv/app', kv: 2, want: '/v1/kv/data/app' },
    { name: 'KV v1 is used as written', path: 'secret/data/x', kv: 1, want: '/v1/secret/data/x' },
    { name: 'KV v2 segments are URL-encoded (no query or fragment injection)', path: 'secret/team-a/db?version=1#x', kv: 2, want: '/v1/secret/data/team-a/db%3Fversion%3D1%23x' },
    { name: 'KV v1 segments are URL-encoded', path: 'kv1/a b/c?d', kv: 1, want: '/v1/kv1/a%20b/c%3Fd' },
  ];
  for (const r of rows) it(r.name, () => assert.equal(vaultApiPath(r.path, r.kv, r.version), r.want));

  it('refuses a KV v2 path with nothing after the mount', () => {
    assert.throws(() => vaultApiPath('secret/data', 2), /no secret after the mount "secret"/);
    assert.throws(() => vaultApiPath('secret', 2), /no secret after the mount/);
  });

  const scopeRows: Array<{ name: string; path: string; prefixes: string[]; ok: boolean }> = [
    { name: 'logical prefix, logical path', path: 'secret/team-a/db', prefixes: ['secret/team-a/'], ok: true },
    { name: 'logical prefix, API-form path', path: 'secret/data/team-a/db', prefixes: ['secret/team-a/'], ok: true },
    { name: 'API-form prefix, logical path', path: 'secret/team-a/db', prefixes: ['secret/data/team-a'], ok: true },
    { name: 'a tenant called "data" cannot reach the whole mount', path: 'secret/data/other-team/db', prefixes: ['secret/data/'], ok: false },
    { name: 'a tenant called "data" reaches its own secrets in the API form', path: 'secret/data/data/db', prefixes: ['secret/data/'], ok: true },
    { name: 'another tenant is refused', path: 'secret/data/team-b/db', prefixes: ['secret/team-a'], ok: false },
  ];
  for (const r of scopeRows) {
    it(`KV v2 scope after the rewrite: ${r.name}`, () => {
      if (r.ok) enforceVaultScope(r.path, 2, r.prefixes, 'vault');
      else assert.throws(() => enforceVaultScope(r.path, 2, r.prefixes, 'vault'), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE') && /vault/.test((e as Error).message));
    });
  }
});
