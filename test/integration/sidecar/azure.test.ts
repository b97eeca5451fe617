import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startLowkey, type Peer } from './peers.js';
import { createAzureKeyVaultProvider } from '../../../sidecar/providers/azure-key-vault.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { Provider } from '../../../sidecar/providers/types.js';

describe('sidecar azure-key-vault provider against lowkey-vault', function () {
  this.timeout(120000);
  let lowkey: Peer | undefined;
  let dir: string;
  let provider: Provider;
  const versions: string[] = [];

  before(async function () {
    lowkey = await startLowkey(requirePeer(this, 'lowkey-vault'));
    dir = await mkdtemp(join(tmpdir(), 'bulwark-azure-'));
    await writeFile(join(dir, 'token'), 'dummy-token');
    process.env.BULWARK_AZURE_DISABLE_CHALLENGE_VERIFICATION = 'true';
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const admin = new SecretClient(lowkey.url, { getToken: async () => ({ token: 'dummy', expiresOnTimestamp: Date.now() + 3600_000 }) }, {
      disableChallengeResourceVerification: true,
      tlsOptions: { ca: readFileSync(lowkey.extra.caFile!) },
    });
    versions.push((await admin.setSecret('db-password', 'first')).properties.version!);
    versions.push((await admin.setSecret('db-password', 'second')).properties.version!);
    provider = await createAzureKeyVaultProvider({ storeName: 'az', store: { provider: 'azure-key-vault', address: lowkey.url, caFile: lowkey.extra.caFile, auth: { method: 'token', tokenFile: join(dir, 'token') } }, namespace: 'x' });
  });
  after(async () => {
    delete process.env.BULWARK_AZURE_DISABLE_CHALLENGE_VERIFICATION;
    await lowkey?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the latest version and a pinned one', async () => {
    assert.deepEqual(await provider.read({ store: 'az', path: 'db-password' }), { value: 'second', version: versions[1] });
    assert.equal((await provider.read({ store: 'az', path: 'db-password', version: versions[0] })).value, 'first');
  });

  it('maps a missing secret to NOT_FOUND', async () => {
    await assert.rejects(provider.read({ store: 'az', path: 'nope' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });
});
