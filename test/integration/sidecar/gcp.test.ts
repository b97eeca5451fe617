import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startGcp, gcpAddVersion, type Peer } from './peers.js';
import { createGcpSecretManagerProvider } from '../../../sidecar/providers/gcp-secret-manager.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { Provider } from '../../../sidecar/providers/types.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import { startSidecar, writeSpec } from './sidecar-process.js';
import { waitFor } from '../../sample-app/control.js';

describe('sidecar provider against the GCP Secret Manager emulator', function () {
  this.timeout(60000);
  let gcp: Peer | undefined;
  let provider: Provider;
  before(async function () {
    gcp = await startGcp(requirePeer(this, 'gcp'));
    provider = createGcpSecretManagerProvider({ storeName: 'gcp', store: { provider: 'gcp-secret-manager', address: gcp.url, project: 'proj', auth: { method: 'none' } }, namespace: 'x' });
    await gcpAddVersion(gcp.url, 'proj', 'db-password', 'first');
    await gcpAddVersion(gcp.url, 'proj', 'db-password', 'second');
  });
  after(async () => {
    await gcp?.stop();
  });

  it('reads latest with its version number', async () => {
    const got = await provider.read({ store: 'gcp', path: 'db-password' });
    assert.equal(got.value.toString(), 'second');
    assert.equal(got.version, '2');
  });

  it('reads a pinned version', async () => {
    assert.equal((await provider.read({ store: 'gcp', path: 'db-password', version: '1' })).value.toString(), 'first');
  });

  it('maps a missing secret to NOT_FOUND', async () => {
    await assert.rejects(provider.read({ store: 'gcp', path: 'nope' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('propagates a new version to the file through bulwark-sidecar run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-gcp-e2e-'));
    const spec: SidecarSpec = {
      version: 1,
      pod: { namespace: 'team-a' },
      mountPath: '/bulwark',
      files: [{ name: 'db.env', kind: 'secret', sources: [{ store: 'gcp', path: 'db-password' }], format: 'env', mode: 0o400 }],
      stores: { gcp: { provider: 'gcp-secret-manager', address: gcp!.url, project: 'proj', auth: { method: 'none' } } },
      reload: [{ type: 'none' }],
      refreshSeconds: 1,
      onFailure: 'fail',
      initOnly: false,
      debounceMs: 20,
    };
    const sc = await startSidecar(await writeSpec(dir, spec), join(dir, 'vol'));
    try {
      await waitFor(async () => (await readFile(join(dir, 'vol', 'db.env'), 'utf8').catch(() => '')) === 'db_password=second\n', 10000, 'the first value');
      await gcpAddVersion(gcp!.url, 'proj', 'db-password', 'third');
      await waitFor(async () => (await readFile(join(dir, 'vol', 'db.env'), 'utf8')) === 'db_password=third\n', 10000, 'the new version');
      const change = sc.logs.find((l) => l.message === 'file changed' && l.oldVersion !== null);
      assert.equal(change?.newVersion, 'gcp:db-password@3');
    } finally {
      await sc.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
