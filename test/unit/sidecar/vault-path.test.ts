import assert from 'node:assert/strict';
import { vaultApiPath } from '../../../sidecar/providers/vault.js';

describe('vault API paths', () => {
  const rows: Array<{ name: string; path: string; kv: 1 | 2; version?: string; want: string }> = [
    { name: 'KV v2, API form (as policies and tenant prefixes write it)', path: 'secret/data/team-a/db', kv: 2, want: '/v1/secret/data/team-a/db' },
    { name: 'KV v2, logical form (as vault kv get takes it)', path: 'secret/team-a/db', kv: 2, want: '/v1/secret/data/team-a/db' },
    { name: 'KV v2 with a pinned version', path: 'kv/data/app', kv: 2, version: '3', want: '/v1/kv/data/app?version=3' },
    { name: 'KV v2, leading slash', path: '/kv/app', kv: 2, want: '/v1/kv/data/app' },
    { name: 'KV v1 is used as written', path: 'secret/data/x', kv: 1, want: '/v1/secret/data/x' },
  ];
  for (const r of rows) it(r.name, () => assert.equal(vaultApiPath(r.path, r.kv, r.version), r.want));

  it('refuses a KV v2 path with nothing after the mount', () => {
    assert.throws(() => vaultApiPath('secret/data', 2), /no secret after the mount "secret"/);
    assert.throws(() => vaultApiPath('secret', 2), /no secret after the mount/);
  });
});
