import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processMatches } from '../../../sidecar/reload/find-process.js';
import { Runner } from '../../../sidecar/runner.js';
import type { Engine, SyncResult } from '../../../sidecar/engine.js';
import type { SidecarErrorCode } from '../../../sidecar/errors.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { normaliseStorePath, enforcePathScope } from '../../../sidecar/core/path-scope.js';
import { parseCacheKey } from '../../../sidecar/fallback/encrypted-cache.js';
import { httpCall } from '../../../sidecar/providers/http-json.js';
import { generateCerts } from '../../../webhook/certs/generate.js';
import { silentLogger } from '../../../webhook/log.js';
import { specWith } from './fixtures.js';

describe('sidecar process matching by name', () => {
  const rows: Array<{ name: string; comm: string; argv: string[]; want: boolean }> = [
    { name: 'comm', comm: 'myapp', argv: ['myapp: worker'], want: true },
    { name: 'argv[0] base name', comm: 'myapp-long-comm', argv: ['/usr/local/bin/myapp', '--port', '80'], want: true },
    { name: 'a script run by an interpreter', comm: 'node', argv: ['node', '--enable-source-maps', '/app/myapp'], want: true },
    { name: 'a versioned interpreter', comm: 'python3.12', argv: ['/usr/bin/python3.12', '/srv/myapp'], want: true },
    { name: 'not: an argument of another program (tail -f)', comm: 'tail', argv: ['tail', '-f', '/x/myapp'], want: false },
    { name: 'not: a later argument of an interpreter', comm: 'node', argv: ['node', 'server.js', '/x/myapp'], want: false },
    { name: 'not: an editor with the file open', comm: 'vi', argv: ['vi', 'myapp'], want: false },
  ];
  for (const row of rows) it(row.name, () => assert.equal(processMatches('myapp', row.comm, row.argv), row.want));
});

describe('sidecar poll backoff', () => {
  const runnerWith = (codes: SidecarErrorCode[]) => {
    const engine = { sync: async (): Promise<SyncResult> => ({ changed: [], failures: codes.map((code) => ({ file: 'f', code, message: 'm' })), written: false, reloaded: false, rolledBack: false, skippedBad: false }) } as unknown as Engine;
    return new Runner(specWith({ refreshSeconds: 10 }), engine, silentLogger, new AbortController().signal);
  };
  const rows: Array<{ codes: SidecarErrorCode[]; backsOff: boolean }> = [
    { codes: ['NOT_FOUND'], backsOff: false },
    { codes: ['SCHEMA_INVALID'], backsOff: false },
    { codes: ['DENIED', 'RENDER_FAILED'], backsOff: false },
    { codes: ['UNAVAILABLE'], backsOff: true },
    { codes: ['NOT_FOUND', 'CIRCUIT_OPEN'], backsOff: true },
  ];
  for (const row of rows) {
    it(`${row.codes.join('+')} ${row.backsOff ? 'backs off' : 'is polled at the normal interval'}`, async () => {
      const runner = runnerWith(row.codes);
      for (let i = 0; i < 6; i++) await runner.cycle('poll');
      const delay = runner.nextDelay();
      if (row.backsOff) assert.ok(delay > 11_000, `delay ${delay}`);
      else assert.ok(delay >= 9000 && delay <= 11_000, `delay ${delay}`);
    });
  }
});

describe('sidecar path messages name the store', () => {
  for (const path of ['a/../b', 'a//b', 'a\\b', 'a/%2e%2e/b']) {
    it(`refuses ${JSON.stringify(path)} naming store and path`, () => {
      assert.throws(() => enforcePathScope(path, ['a'], 'vault-prod'), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE') && (e as Error).message.includes('store vault-prod') && (e as Error).message.includes(path));
    });
  }
  it('keeps working without a store name', () => assert.equal(normaliseStorePath('/a/b/'), 'a/b/'));
});

describe('sidecar cache key parsing is strict', () => {
  const key = Buffer.alloc(32, 9);
  const b64 = key.toString('base64');
  const rows: Array<{ name: string; input: Buffer; ok: boolean }> = [
    { name: 'raw 32 bytes', input: key, ok: true },
    { name: '64 hex', input: Buffer.from(key.toString('hex')), ok: true },
    { name: '64 hex and one newline', input: Buffer.from(`${key.toString('hex')}\n`), ok: true },
    { name: '44 base64 and one newline', input: Buffer.from(`${b64}\n`), ok: true },
    { name: 'raw 32 bytes and a newline (33 bytes)', input: Buffer.concat([key, Buffer.from('\n')]), ok: false },
    { name: 'hex and two newlines', input: Buffer.from(`${key.toString('hex')}\n\n`), ok: false },
    { name: 'base64 with leading spaces', input: Buffer.from(`  ${b64}`), ok: false },
    { name: 'base64 without padding', input: Buffer.from(b64.replace(/=$/, '')), ok: false },
    { name: 'base64url characters', input: Buffer.from(Buffer.alloc(32, 0xfb).toString('base64url') + '='), ok: false },
    { name: 'base64 of 33 bytes', input: Buffer.from(Buffer.alloc(33, 1).toString('base64')), ok: false },
    { name: 'a passphrase of 44 characters with junk', input: Buffer.from('this is not a key but it is 44 characters!!='), ok: false },
  ];
  for (const row of rows) {
    it(`${row.ok ? 'accepts' : 'refuses'} ${row.name}`, () => {
      if (row.ok) assert.ok(parseCacheKey(row.input).equals(key));
      else assert.throws(() => parseCacheKey(row.input), (e: unknown) => isSidecarError(e, 'CACHE_INVALID'));
    });
  }
});

describe('sidecar REST CA file', function () {
  this.timeout(20000);
  it('a rotated CA file is used without a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-ca-'));
    const serve = async (certs: ReturnType<typeof generateCerts>): Promise<Server> => {
      const s = createServer({ cert: certs.serving.certPem, key: certs.serving.keyPem }, (_req, res) => res.end('{}'));
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return s;
    };
    const first = generateCerts(['localhost']);
    const second = generateCerts(['localhost']);
    const caFile = join(dir, 'ca.pem');
    let server = await serve(first);
    try {
      await writeFile(caFile, first.ca.certPem);
      assert.equal((await httpCall(`https://localhost:${(server.address() as AddressInfo).port}/`, { caFile })).status, 200);
      server.close();
      server = await serve(second);
      await writeFile(caFile, second.ca.certPem);
      assert.equal((await httpCall(`https://localhost:${(server.address() as AddressInfo).port}/`, { caFile })).status, 200);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
