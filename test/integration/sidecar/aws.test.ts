import assert from 'node:assert/strict';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient, CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { requirePeer, startMoto, type Peer } from './peers.js';
import { createSsmProvider } from '../../../sidecar/providers/aws-ssm.js';
import { createSecretsManagerProvider } from '../../../sidecar/providers/aws-secrets-manager.js';
import { Fetcher } from '../../../sidecar/core/fetcher.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { Provider } from '../../../sidecar/providers/types.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';

/** Dummy credentials for moto (the SDK's default chain reads them from the environment). */
export function useDummyAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
}

describe('sidecar providers against moto (AWS SSM and Secrets Manager)', function () {
  this.timeout(60000);
  let moto: Peer | undefined;
  let ssm: Provider;
  let sm: Provider;
  const admin = { region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };

  before(async function () {
    const bin = requirePeer(this, 'moto');
    useDummyAwsCredentials();
    moto = await startMoto(bin);
    const store = { provider: 'aws-ssm' as const, address: moto.url, region: 'us-east-1' };
    ssm = createSsmProvider({ storeName: 'ssm', store, namespace: 'team-a' });
    sm = createSecretsManagerProvider({ storeName: 'sm', store: { ...store, provider: 'aws-secrets-manager' }, namespace: 'team-a' });
    const ssmAdmin = new SSMClient({ ...admin, endpoint: moto.url });
    await ssmAdmin.send(new PutParameterCommand({ Name: '/team-a/app/url', Value: 'https://one', Type: 'String' }));
    await ssmAdmin.send(new PutParameterCommand({ Name: '/team-a/app/url', Value: 'https://two', Type: 'String', Overwrite: true }));
    await ssmAdmin.send(new PutParameterCommand({ Name: '/team-a/app/password', Value: 'p4ss', Type: 'SecureString' }));
    const smAdmin = new SecretsManagerClient({ ...admin, endpoint: moto.url });
    await smAdmin.send(new CreateSecretCommand({ Name: 'team-a/db', SecretString: '{"user":"app","password":"v1"}' }));
    await smAdmin.send(new PutSecretValueCommand({ SecretId: 'team-a/db', SecretString: '{"user":"app","password":"v2"}' }));
  });
  after(async () => {
    await ssm?.close?.();
    await sm?.close?.();
    await moto?.stop();
  });

  it('reads an SSM parameter with its version, and a pinned older version', async () => {
    const latest = await ssm.read({ store: 'ssm', path: 'team-a/app/url' });
    assert.deepEqual(latest, { value: 'https://two', version: '2' });
    const pinned = await ssm.read({ store: 'ssm', path: 'team-a/app/url', version: '1' });
    assert.deepEqual(pinned, { value: 'https://one', version: '1' });
  });

  it('decrypts SecureString parameters', async () => {
    assert.equal((await ssm.read({ store: 'ssm', path: '/team-a/app/password' })).value, 'p4ss');
  });

  it('reads a path hierarchy as a map', async () => {
    const got = await ssm.read({ store: 'ssm', path: 'team-a/app/' });
    assert.deepEqual(got.value, { url: 'https://two', password: 'p4ss' });
  });

  it('maps a missing parameter to NOT_FOUND without leaking values', async () => {
    await assert.rejects(ssm.read({ store: 'ssm', path: 'team-a/missing' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND') && /team-a\/missing/.test((e as Error).message));
  });

  it('reads Secrets Manager current and previous stages', async () => {
    const cur = await sm.read({ store: 'sm', path: 'team-a/db' });
    assert.equal(JSON.parse(String(cur.value)).password, 'v2');
    const prev = await sm.read({ store: 'sm', path: 'team-a/db', version: 'AWSPREVIOUS' });
    assert.equal(JSON.parse(String(prev.value)).password, 'v1');
    assert.notEqual(cur.version, prev.version);
    const byId = await sm.read({ store: 'sm', path: 'team-a/db', version: prev.version });
    assert.equal(JSON.parse(String(byId.value)).password, 'v1');
  });

  it('selects a #key of a JSON secret through the fetcher, and enforces tenant prefixes', async () => {
    const spec = {
      pod: { namespace: 'team-a' },
      stores: { sm: { provider: 'aws-secrets-manager', address: moto!.url, region: 'us-east-1', pathPrefixes: ['team-a/'] } },
    } as unknown as SidecarSpec;
    const fetcher = new Fetcher(spec, new SidecarMetrics());
    assert.equal((await fetcher.fetch({ store: 'sm', path: 'team-a/db', key: 'password' })).value, 'v2');
    await assert.rejects(fetcher.fetch({ store: 'sm', path: 'team-b/db' }), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE'));
    await assert.rejects(fetcher.fetch({ store: 'sm', path: 'team-a/db', key: 'nope' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
    await fetcher.close();
  });

  it('reports UNAVAILABLE when the store is down', async () => {
    const down = createSsmProvider({ storeName: 'ssm', store: { provider: 'aws-ssm', address: 'http://127.0.0.1:1', region: 'us-east-1' }, namespace: 'x' });
    await assert.rejects(down.read({ store: 'ssm', path: 'a' }), (e: unknown) => isSidecarError(e, 'UNAVAILABLE'));
  });
});
