import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fetcher } from '../../../sidecar/core/fetcher.js';
import { lazyProviders } from '../../../sidecar/core/fetcher.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { createSsmProvider } from '../../../sidecar/providers/aws-ssm.js';
import type { SidecarSpec, StoreSpec } from '../../../sidecar/spec/types.js';

// A store that accepts connections and never answers: the reads must end, as UNAVAILABLE.
describe('sidecar reads from a store that accepts and never answers', function () {
  this.timeout(30000);
  let server: Server;
  let url: string;
  let dir: string;
  const sockets = new Set<Socket>();
  const saved = { ...process.env };

  before(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'bulwark-hang-'));
    await writeFile(
      join(dir, 'kubeconfig'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: url, 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }),
    );
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', KUBECONFIG: join(dir, 'kubeconfig') });
  });
  after(async () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'KUBECONFIG']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const stores: Array<{ name: string; store: () => StoreSpec; path: string }> = [
    { name: 'aws-ssm', store: () => ({ provider: 'aws-ssm', address: url }), path: 'team-a/db' },
    { name: 'aws-secrets-manager', store: () => ({ provider: 'aws-secrets-manager', address: url }), path: 'team-a/db' },
    { name: 'kubernetes', store: () => ({ provider: 'kubernetes' }), path: 'secret/db' },
    { name: 'vault', store: () => ({ provider: 'vault', address: url, auth: { method: 'none' } }), path: 'secret/team-a/db' },
  ];
  for (const row of stores) {
    it(`${row.name}: the fetcher's read deadline ends the read with UNAVAILABLE`, async () => {
      const spec: SidecarSpec = {
        version: 1,
        pod: { namespace: 'team-a' },
        mountPath: '/x',
        files: [],
        stores: { s: row.store() },
        reload: [],
        refreshSeconds: 1,
        onFailure: 'fail',
        initOnly: false,
        debounceMs: 10,
      };
      const fetcher = new Fetcher(spec, new SidecarMetrics(), lazyProviders, 60_000, 1500);
      const started = Date.now();
      try {
        await assert.rejects(fetcher.fetch({ store: 's', path: row.path }), (e: unknown) => isSidecarError(e, 'UNAVAILABLE'));
      } finally {
        await fetcher.close();
      }
      const took = Date.now() - started;
      assert.ok(took < 5000, `took ${took} ms`);
    });
  }

  it('aws-ssm: the SDK request timeout ends a read even without the fetcher', async () => {
    const provider = createSsmProvider({ storeName: 's', store: { provider: 'aws-ssm', address: url }, namespace: 'team-a' });
    const started = Date.now();
    try {
      await assert.rejects(provider.read({ store: 's', path: 'team-a/db' }), (e: unknown) => isSidecarError(e, 'UNAVAILABLE'));
    } finally {
      await provider.close?.();
    }
    assert.ok(Date.now() - started < 20000);
  });
});
