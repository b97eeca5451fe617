import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startBao, type Peer } from './peers.js';
import { createVaultProvider } from '../../../sidecar/providers/vault.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { StoreSpec } from '../../../sidecar/spec/types.js';

describe('sidecar vault provider against OpenBao/Vault in dev mode', function () {
  this.timeout(60000);
  let bao: Peer | undefined;
  let dir: string;
  const api = async (method: string, path: string, body?: unknown, namespace?: string): Promise<Record<string, any>> => {
    const res = await fetch(`${bao!.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': 'root', 'content-type': 'application/json', ...(namespace ? { 'X-Vault-Namespace': namespace } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? {} : ((await res.json()) as Record<string, any>);
  };
  const provider = (over: Partial<StoreSpec> = {}) =>
    createVaultProvider({ storeName: 'vault', store: { provider: 'vault', address: bao!.url, auth: { method: 'token', tokenFile: join(dir, 'token') }, ...over }, namespace: 'team-a' });

  before(async function () {
    bao = await startBao(requirePeer(this, 'openbao'));
    dir = await mkdtemp(join(tmpdir(), 'bulwark-vault-'));
    await writeFile(join(dir, 'token'), 'root\n');
    await api('POST', 'secret/data/team-a/db', { data: { user: 'app', password: 'v1' } });
    await api('POST', 'secret/data/team-a/db', { data: { user: 'app', password: 'v2' } });
    await api('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    await api('POST', 'kv1/team-a/cfg', { port: '8080' });
  });
  after(async () => {
    await bao?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads KV v2 latest and a pinned version', async () => {
    const p = provider();
    assert.deepEqual(await p.read({ store: 'vault', path: 'secret/team-a/db' }), { value: { user: 'app', password: 'v2' }, version: '2' });
    assert.equal(((await p.read({ store: 'vault', path: 'secret/team-a/db', version: '1' })).value as Record<string, unknown>).password, 'v1');
    await assert.rejects(p.read({ store: 'vault', path: 'secret/team-a/none' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('reads KV v1', async () => {
    const got = await provider({ kvVersion: 1 }).read({ store: 'vault', path: 'kv1/team-a/cfg' });
    assert.deepEqual(got.value, { port: '8080' });
  });

  it('logs in with AppRole and is denied outside its policy', async () => {
    await api('POST', 'sys/auth/approle', { type: 'approle' });
    await api('PUT', 'sys/policies/acl/team-a', { policy: 'path "secret/data/team-a/*" { capabilities = ["read"] }' });
    await api('POST', 'auth/approle/role/app', { token_policies: ['team-a'], token_ttl: '1h' });
    const roleId = (await api('GET', 'auth/approle/role/app/role-id')).data.role_id as string;
    const secretId = (await api('POST', 'auth/approle/role/app/secret-id')).data.secret_id as string;
    await writeFile(join(dir, 'role-id'), roleId);
    await writeFile(join(dir, 'secret-id'), secretId);
    await api('POST', 'secret/data/team-b/db', { data: { password: 'other' } });
    const p = provider({ auth: { method: 'approle', roleIdFile: join(dir, 'role-id'), secretIdFile: join(dir, 'secret-id') } });
    assert.equal(((await p.read({ store: 'vault', path: 'secret/team-a/db' })).value as Record<string, unknown>).password, 'v2');
    await assert.rejects(p.read({ store: 'vault', path: 'secret/team-b/db' }), (e: unknown) => isSidecarError(e, 'DENIED'));
  });

  it('token auth picks up a rotated token file, by modification time and after DENIED', async () => {
    await api('PUT', 'sys/policies/acl/team-a-read', { policy: 'path "secret/data/team-a/*" { capabilities = ["read"] }' });
    const mint = async (): Promise<string> => (await api('POST', 'auth/token/create', { policies: ['team-a-read'], ttl: '1h' })).auth.client_token as string;
    const file = join(dir, 'rotating-token');
    await writeFile(file, `${await mint()}\n`);
    const fixed = new Date('2026-01-01T00:00:00Z');
    const p = provider({ auth: { method: 'token', tokenFile: file } });
    const read = async () => ((await p.read({ store: 'vault', path: 'secret/team-a/db' })).value as Record<string, unknown>).password;
    assert.equal(await read(), 'v2');
    // Rotation the agent way: the old token is revoked, a new one written (mtime changes).
    const old = (await readFile(file, 'utf8')).trim();
    await api('POST', 'auth/token/revoke', { token: old });
    await writeFile(file, `${await mint()}\n`);
    await utimes(file, fixed, fixed);
    assert.equal(await read(), 'v2', 'new token read after the mtime changed');
    // Same mtime (a copy that preserves it): the DENIED answer makes the provider read the file again.
    await api('POST', 'auth/token/revoke', { token: (await readFile(file, 'utf8')).trim() });
    await writeFile(file, `${await mint()}\n`);
    await utimes(file, fixed, fixed);
    assert.equal(await read(), 'v2', 'new token read after DENIED');
  });

  it('refuses a bad token with DENIED', async () => {
    await writeFile(join(dir, 'bad-token'), 'not-a-token');
    const p = provider({ auth: { method: 'token', tokenFile: join(dir, 'bad-token') } });
    await assert.rejects(p.read({ store: 'vault', path: 'secret/team-a/db' }), (e: unknown) => isSidecarError(e, 'DENIED'));
  });

  it('sends the namespace header (X-Vault-Namespace)', async function () {
    try {
      await api('POST', 'sys/namespaces/tenant-a', {});
    } catch (err) {
      console.log(`      (skipped: this server has no namespaces: ${(err as Error).message.split('\n')[0]})`);
      this.skip();
    }
    await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } }, 'tenant-a');
    await api('POST', 'secret/data/app', { data: { in: 'namespace' } }, 'tenant-a');
    const got = await provider({ namespace: 'tenant-a' }).read({ store: 'vault', path: 'secret/app' });
    assert.deepEqual(got.value, { in: 'namespace' });
    await assert.rejects(provider().read({ store: 'vault', path: 'secret/app' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('talks TLS to a server signed by a custom CA (caFile), and refuses it without', async function () {
    const tlsBao = await startBao(requirePeer(this, 'openbao'), true);
    try {
      const store = { provider: 'vault' as const, address: tlsBao.url, auth: { method: 'token' as const, tokenFile: join(dir, 'token') } };
      const withCa = createVaultProvider({ storeName: 'v', store: { ...store, caFile: tlsBao.extra.caFile }, namespace: 'x' });
      await assert.rejects(withCa.read({ store: 'v', path: 'secret/none' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'), 'reaches the server');
      const withoutCa = createVaultProvider({ storeName: 'v', store, namespace: 'x' });
      await assert.rejects(withoutCa.read({ store: 'v', path: 'secret/none' }), (e: unknown) => isSidecarError(e, 'UNAVAILABLE') && /certificate/i.test((e as Error).message));
    } finally {
      await tlsBao.stop();
    }
  });
});
