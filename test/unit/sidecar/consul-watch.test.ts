import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsulProvider } from '../../../sidecar/providers/consul.js';
import { isSidecarError } from '../../../sidecar/errors.js';

/** A fake Consul KV endpoint answering at once with the given X-Consul-Index (or none), counting requests and tokens seen. */
async function fakeConsul(index: string | undefined, allowedToken?: () => string): Promise<{ server: Server; url: string; requests: () => number; tokens: string[] }> {
  let requests = 0;
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    requests += 1;
    const token = String(req.headers['x-consul-token'] ?? '');
    tokens.push(token);
    if (allowedToken && token !== allowedToken()) {
      res.writeHead(403).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', ...(index !== undefined ? { 'x-consul-index': index } : {}) });
    res.end(JSON.stringify([{ Value: Buffer.from('v').toString('base64'), ModifyIndex: 5 }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests, tokens };
}

describe('sidecar consul provider without a blocking index', function () {
  this.timeout(10000);
  const rows = [
    { name: 'no X-Consul-Index header', index: undefined },
    { name: 'X-Consul-Index 0', index: '0' },
    { name: 'an index that never changes, answered at once', index: '42' },
  ];
  for (const row of rows) {
    it(`does not spin: ${row.name}`, async () => {
      const fake = await fakeConsul(row.index);
      const abort = new AbortController();
      try {
        createConsulProvider({ storeName: 'c', store: { provider: 'consul', address: fake.url }, namespace: 'a' }).watch!({ store: 'c', path: 'team-a/k' }, () => undefined, abort.signal);
        await new Promise((r) => setTimeout(r, 2000));
        assert.ok(fake.requests() <= 6, `${fake.requests()} requests in 2 s`);
        assert.ok(fake.requests() >= 2, 'still polls');
      } finally {
        abort.abort();
        fake.server.close();
      }
    });
  }

  it('reads the ACL token file again after Consul refused it (rotation)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-consul-'));
    let allowed = 'old-token';
    const fake = await fakeConsul('7', () => allowed);
    try {
      const fixed = new Date('2026-01-01T00:00:00Z');
      await writeFile(join(dir, 'token'), 'old-token\n');
      await utimes(join(dir, 'token'), fixed, fixed);
      const p = createConsulProvider({ storeName: 'c', store: { provider: 'consul', address: fake.url, auth: { method: 'token', tokenFile: join(dir, 'token') } }, namespace: 'a' });
      assert.equal(String((await p.read({ store: 'c', path: 'k' })).value), 'v');
      allowed = 'new-token';
      // Rewritten with the old mtime (a copy that preserves it): only the refusal can trigger the re-read.
      await writeFile(join(dir, 'token'), 'new-token\n');
      await utimes(join(dir, 'token'), fixed, fixed);
      await assert.rejects(p.read({ store: 'c', path: 'k' }), (e: unknown) => isSidecarError(e, 'DENIED'));
      assert.equal(String((await p.read({ store: 'c', path: 'k' })).value), 'v', 'the next read uses the new token');
      assert.equal(fake.tokens.at(-1), 'new-token');
      allowed = 'third-token';
      await writeFile(join(dir, 'token'), 'third-token\n');
      await utimes(join(dir, 'token'), new Date(), new Date(Date.now() + 5000));
      assert.equal(String((await p.read({ store: 'c', path: 'k' })).value), 'v', 'a changed mtime is read at once');
    } finally {
      fake.server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
