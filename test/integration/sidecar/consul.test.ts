import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startConsul, type Peer } from './peers.js';
import { createConsulProvider } from '../../../sidecar/providers/consul.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { waitFor } from '../../sample-app/control.js';

describe('sidecar consul provider against a Consul dev agent (ACLs on)', function () {
  this.timeout(60000);
  let consul: Peer | undefined;
  let dir: string;
  const put = async (key: string, value: string): Promise<void> => {
    const res = await fetch(`${consul!.url}/v1/kv/${key}`, { method: 'PUT', body: value, headers: { 'X-Consul-Token': 'root-token' } });
    if (!res.ok) throw new Error(`PUT ${key}: HTTP ${res.status}`);
  };
  const provider = (tokenFile?: string) => createConsulProvider({ storeName: 'consul', store: { provider: 'consul', address: consul!.url, ...(tokenFile ? { auth: { method: 'token', tokenFile } } : {}) }, namespace: 'x' });

  before(async function () {
    consul = await startConsul(requirePeer(this, 'consul'), 'root-token');
    dir = await mkdtemp(join(tmpdir(), 'bulwark-consul-t-'));
    await writeFile(join(dir, 'token'), 'root-token\n');
    await put('team-a/config', '{"greeting":"hello"}');
  });
  after(async () => {
    await consul?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a key with its ModifyIndex using the ACL token from a file', async () => {
    const got = await provider(join(dir, 'token')).read({ store: 'consul', path: 'team-a/config' });
    assert.equal(got.value.toString(), '{"greeting":"hello"}');
    assert.match(got.version, /^\d+$/);
  });

  it('is denied (or sees nothing) without a token, and maps a missing key to NOT_FOUND', async () => {
    await assert.rejects(provider().read({ store: 'consul', path: 'team-a/config' }), (e: unknown) => isSidecarError(e, 'DENIED') || isSidecarError(e, 'NOT_FOUND'));
    await assert.rejects(provider(join(dir, 'token')).read({ store: 'consul', path: 'team-a/none' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('delivers a change within one blocking-query round trip', async () => {
    let changes = 0;
    const abort = new AbortController();
    provider(join(dir, 'token')).watch!({ store: 'consul', path: 'team-a/config' }, () => changes++, abort.signal);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      await put('team-a/config', '{"greeting":"changed"}');
      await waitFor(() => changes > 0, 5000, 'the blocking query to return');
      assert.ok(Date.now() - t0 < 2000, `change seen after ${Date.now() - t0} ms`);
    } finally {
      abort.abort();
    }
  });
});
