/**
 * Dynamic Vault secrets through the sidecar's Vault provider against a real OpenBao in dev mode:
 * credentials with a lease, renewed past their TTL, replaced ahead of the max TTL and when renewal
 * is refused. The engine is OpenBao's database engine over a real PostgreSQL (the credentials are
 * checked by logging in); the AWS engine over moto runs where the server has one (HashiCorp Vault;
 * OpenBao 2.x dropped it from its catalog, so there it skips with the server's own answer).
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requirePeer, startBao, startMoto, type Peer } from './peers.js';
import { createVaultProvider } from '../../../sidecar/providers/vault.js';
import type { Provider } from '../../../sidecar/providers/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The directory of the PostgreSQL server binaries (postgres, initdb), or undefined. */
function pgBin(): string | undefined {
  const dirs = ['/usr/local/bin', ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [])];
  return dirs.find((d) => existsSync(join(d, 'postgres')) && existsSync(join(d, 'initdb')));
}

interface Pg {
  port: number;
  psqlLogin(user: string, password: string): boolean;
  stop(): Promise<void>;
}

/** Starts a throw-away PostgreSQL on a free port with password auth on TCP (superuser postgres / `password`). */
async function startPostgres(bin: string, password: string): Promise<Pg> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-pg-'));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  if (asRoot) await chown(dir, ids.uid!, ids.gid!);
  await writeFile(join(dir, 'pw'), password, { mode: 0o644 });
  execFileSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--pwfile', join(dir, 'pw'), '--auth-local=trust', '--auth-host=scram-sha-256', '-N'], { ...ids, stdio: 'ignore' });
  const port = await freePort();
  const proc = spawn(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-F', '-c', 'fsync=off'], { ...ids, detached: true, stdio: 'ignore' });
  const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
  const psqlLogin = (user: string, pw: string): boolean => {
    try {
      execFileSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-tAc', 'select 1'], { env: { ...process.env, PGPASSWORD: pw, PGCONNECT_TIMEOUT: '3' }, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      process.kill(-proc.pid!, 'SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !psqlLogin('postgres', password); i++) {
    if (proc.exitCode !== null) break;
    await sleep(100);
  }
  if (!psqlLogin('postgres', password)) {
    await stop();
    throw new Error('PostgreSQL did not start');
  }
  return { port, psqlLogin, stop };
}

describe('sidecar vault provider: dynamic secrets and leases against OpenBao', function () {
  this.timeout(60_000);
  let bao: Peer | undefined;
  let dir: string;
  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, any>> => {
    const res = await fetch(`${bao!.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': 'root', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? {} : ((await res.json()) as Record<string, any>);
  };
  /** The ids of the live leases under a prefix (the server's own view). */
  const leases = async (prefix: string): Promise<string[]> => {
    const res = await fetch(`${bao!.url}/v1/sys/leases/lookup/${prefix}/`, { method: 'LIST', headers: { 'X-Vault-Token': 'root' } });
    if (res.status === 404) return [];
    return (((await res.json()) as { data: { keys: string[] } }).data.keys ?? []).map((k) => `${prefix}/${k}`);
  };
  const expireTime = async (leaseId: string): Promise<number> => Date.parse((await api('PUT', 'sys/leases/lookup', { lease_id: leaseId })).data.expire_time as string);
  const provider = (): Provider => createVaultProvider({ storeName: 'vault', store: { provider: 'vault', address: bao!.url, kvVersion: 1, auth: { method: 'token', tokenFile: join(dir, 'token') } }, namespace: 'team-a' });
  /** Resolves when the provider pushes a change for the ref (the time it did), or rejects after ms. */
  const nextChange = (p: Provider, path: string, ms: number): Promise<number> => {
    const changed = new Promise<number>((resolve, reject) => {
      assert.ok(p.watch, 'the provider pushes lease replacements (watch)');
      const ac = new AbortController();
      const t = setTimeout(() => (ac.abort(), reject(new Error(`no change pushed for ${path} within ${ms} ms`))), ms);
      t.unref();
      p.watch({ store: 'vault', path }, () => (clearTimeout(t), ac.abort(), resolve(Date.now())), ac.signal);
    });
    changed.catch(() => undefined); // awaited later; an earlier failed assertion must not leave it unhandled
    return changed;
  };
  const keysOf = (v: unknown): string[] => Object.keys(v as Record<string, unknown>).sort();

  before(async function () {
    bao = await startBao(requirePeer(this, 'openbao'));
    dir = await mkdtemp(join(tmpdir(), 'bulwark-vault-dyn-'));
    await writeFile(join(dir, 'token'), 'root\n');
  });
  after(async () => {
    await bao?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('database engine over PostgreSQL', () => {
    let pg: Pg | undefined;
    /** Creates a role whose credentials live `ttl` seconds, renewable up to `maxTtl`; returns its creds path. */
    const role = async (name: string, ttl: string, maxTtl: string): Promise<string> => {
      await api('POST', `database/roles/${name}`, {
        db_name: 'pg',
        creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`],
        default_ttl: ttl,
        max_ttl: maxTtl,
      });
      return `database/creds/${name}`;
    };
    const login = (v: unknown): boolean => {
      const c = v as { username: string; password: string };
      return pg!.psqlLogin(c.username, c.password);
    };

    before(async function () {
      const bin = pgBin();
      if (!bin) {
        const msg = 'PostgreSQL (postgres, initdb) is not installed; run `bash test/peers/install.sh postgresql`';
        if (process.env.CI === 'true') throw new Error(msg);
        console.log(`      (skipped: ${msg})`);
        this.skip();
      }
      const admin = `pg-${Math.random().toString(36).slice(2)}`;
      pg = await startPostgres(bin, admin);
      await api('POST', 'sys/mounts/database', { type: 'database' });
      await api('POST', 'database/config/pg', {
        plugin_name: 'postgresql-database-plugin',
        connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/postgres?sslmode=disable`,
        username: 'postgres',
        password: admin,
        allowed_roles: '*',
      });
    });
    after(async () => pg?.stop());

    it('renews the lease past its TTL, then replaces the credentials before the max TTL ends', async () => {
      const path = await role('capped', '6s', '14s');
      const p = provider();
      try {
        const started = Date.now();
        const first = await p.read({ store: 'vault', path });
        assert.deepEqual(keysOf(first.value), ['password', 'username']);
        assert.ok(login(first.value), 'the dynamic credentials log in to PostgreSQL');
        const [leaseId] = await leases(path);
        assert.equal((await leases(path)).length, 1);
        const firstEnd = await expireTime(leaseId!);
        const changed = nextChange(p, path, 16_000);

        await sleep(7000); // past the 6 s TTL
        assert.ok((await expireTime(leaseId!)) > firstEnd, 'sys/leases/lookup: expire_time moved forward (renewed)');
        assert.equal((await p.read({ store: 'vault', path })).version, first.version, 'the same credentials are served');
        assert.equal((await leases(path)).length, 1, 'no new credentials while the lease renews');
        assert.ok(login(first.value), 'still valid past the first TTL');

        const at = await changed;
        const oldEnd = await expireTime(leaseId!).catch(() => 0);
        assert.ok(at < oldEnd, `replaced ${at - started} ms after the first read, before the old lease ended (${oldEnd - started} ms, max TTL 14 s)`);
        const second = await p.read({ store: 'vault', path });
        assert.notEqual(second.version, first.version, 'new credentials are a new version');
        assert.deepEqual(keysOf(second.value), ['password', 'username']);
        assert.notEqual((second.value as { username: string }).username, (first.value as { username: string }).username);
        assert.ok(login(second.value), 'the new credentials log in');
        assert.ok((await leases(path)).length >= 1);
      } finally {
        await p.close?.();
      }
    });

    it('fetches new credentials when renewal is refused (lease revoked)', async () => {
      const path = await role('revoked', '6s', '1m');
      const p = provider();
      try {
        const first = await p.read({ store: 'vault', path });
        const [leaseId] = await leases(path);
        const changed = nextChange(p, path, 8000);
        await api('PUT', 'sys/leases/revoke', { lease_id: leaseId });
        assert.equal(login(first.value), false, 'revocation dropped the role in PostgreSQL');
        await changed; // the renewal at 2/3 of 6 s is refused
        const second = await p.read({ store: 'vault', path });
        assert.notEqual(second.version, first.version);
        assert.ok(login(second.value), 'the replacement logs in');
        const live = await leases(path);
        assert.equal(live.length, 1);
        assert.notEqual(live[0], leaseId);
      } finally {
        await p.close?.();
      }
    });
  });

  describe('aws engine over moto', () => {
    let moto: Peer | undefined;
    before(async function () {
      try {
        await api('POST', 'sys/mounts/aws', { type: 'aws' });
      } catch (err) {
        // OpenBao 2.x removed the AWS secrets engine from its builtin catalog; not installable here.
        console.log(`      (skipped, this server has no aws secrets engine: ${(err as Error).message.split('\n')[0]})`);
        this.skip();
      }
      moto = await startMoto(requirePeer(this, 'moto'));
      await api('POST', 'aws/config/root', { access_key: 'test', secret_key: 'test', region: 'us-east-1', iam_endpoint: moto.url, sts_endpoint: moto.url });
      await api('POST', 'aws/config/lease', { lease: '6s', lease_max: '14s' });
      await api('POST', 'aws/roles/app', {
        credential_type: 'iam_user',
        policy_document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
      });
    });
    after(async () => moto?.stop());

    it('reads IAM user credentials, renews them, and replaces them before the max TTL ends', async () => {
      const path = 'aws/creds/app';
      const p = provider();
      try {
        const started = Date.now();
        const first = await p.read({ store: 'vault', path });
        assert.ok(['access_key', 'secret_key'].every((k) => keysOf(first.value).includes(k)));
        const [leaseId] = await leases(path);
        const firstEnd = await expireTime(leaseId!);
        const changed = nextChange(p, path, 16_000);
        await sleep(7000); // past the 6 s TTL
        assert.ok((await expireTime(leaseId!)) > firstEnd, 'renewed');
        assert.equal((await p.read({ store: 'vault', path })).version, first.version);
        const at = await changed;
        const oldEnd = await expireTime(leaseId!).catch(() => 0);
        assert.ok(at < oldEnd, `replaced ${at - started} ms after the first read, before the old lease ended`);
        assert.notEqual((await p.read({ store: 'vault', path })).version, first.version);
      } finally {
        await p.close?.();
      }
    });
  });
});
