import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { requirePeer, startMoto, type Peer } from './peers.js';
import { runInit, startSidecar, writeSpec, metricValue, type RunningSidecar } from './sidecar-process.js';
import { startSampleApp, waitFor, type SampleApp } from '../../sample-app/control.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

describe('bulwark-sidecar end to end (moto + sample app)', function () {
  this.timeout(90000);
  let moto: Peer | undefined;
  let dir: string;
  let ssm: SSMClient;
  const cleanups: Array<() => Promise<void>> = [];

  const put = (name: string, value: string) => ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));
  const spec = (over: Partial<SidecarSpec> = {}): SidecarSpec => ({
    version: 1,
    pod: { namespace: 'team-a', name: 'app-1' },
    mountPath: '/bulwark',
    files: [{ name: 'app.json', kind: 'config', sources: [{ store: 'aws', path: 'team-a/app/config' }], format: 'json', mode: 0o400 }],
    stores: { aws: { provider: 'aws-ssm', address: moto!.url, region: 'us-east-1', pathPrefixes: ['team-a/'] } },
    reload: [{ type: 'none' }],
    refreshSeconds: 1,
    onFailure: 'keep-last-good',
    initOnly: false,
    debounceMs: 50,
    ...over,
  });

  before(async function () {
    const bin = requirePeer(this, 'moto');
    moto = await startMoto(bin);
    ssm = new SSMClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-e2e-'));
    await put('/team-a/app/config', '{"greeting":"hello"}');
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  after(async () => {
    ssm?.destroy();
    await moto?.stop();
  });

  async function app(root: string): Promise<SampleApp> {
    const a = await startSampleApp(join(root, 'app.json'));
    cleanups.push(() => a.stop());
    return a;
  }
  async function sidecar(s: SidecarSpec, root: string): Promise<RunningSidecar> {
    const sc = await startSidecar(await writeSpec(dir, s), root, AWS_ENV);
    cleanups.push(() => sc.stop());
    return sc;
  }
  const content = async (root: string) => JSON.parse(await readFile(join(root, 'app.json'), 'utf8')) as Record<string, unknown>;

  it('init writes the file 0400 and exits 0', async () => {
    const root = join(dir, 'vol');
    const r = await runInit(await writeSpec(dir, spec()), root, AWS_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await content(root), { greeting: 'hello' });
  });

  it('init exits non-zero naming the store and path when a value is missing (on-failure=fail)', async () => {
    const s = spec({ onFailure: 'fail' });
    s.files[0]!.sources = [{ store: 'aws', path: 'team-a/app/missing' }];
    const r = await runInit(await writeSpec(dir, s), join(dir, 'vol'), AWS_ENV);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /on-failure=fail/);
    assert.match(r.stderr, /cannot read aws:team-a\/app\/missing \(store aws, provider aws-ssm\)/);
  });

  it('init with keep-last-good and no prior content exits non-zero and says so', async () => {
    const s = spec();
    s.files[0]!.sources = [{ store: 'aws', path: 'team-a/app/missing' }];
    const r = await runInit(await writeSpec(dir, s), join(dir, 'vol'), AWS_ENV);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no last good content yet for app.json/);
  });

  it('init falls back to the encrypted last-good cache when the store is down', async () => {
    const keyFile = join(dir, 'cache.key');
    await writeFile(keyFile, randomBytes(32).toString('hex'));
    const cacheEnv = { ...AWS_ENV, BULWARK_CACHE_FILE: join(dir, 'last-good.enc'), BULWARK_CACHE_KEY_FILE: keyFile };
    const specFile = await writeSpec(dir, spec());
    assert.equal((await runInit(specFile, join(dir, 'vol1'), cacheEnv)).code, 0);
    assert.ok(!(await readFile(join(dir, 'last-good.enc'))).includes('hello'), 'the cache is encrypted');
    await moto!.kill();
    try {
      const r = await runInit(specFile, join(dir, 'vol2'), cacheEnv);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /serving last good content from the encrypted cache/);
      assert.deepEqual(await content(join(dir, 'vol2')), { greeting: 'hello' });
      const failing = await runInit(specFile, join(dir, 'vol3'), AWS_ENV);
      assert.notEqual(failing.code, 0, 'without the cache there is nothing to serve');
    } finally {
      await moto!.restart();
    }
  });

  for (const via of ['SIGHUP', 'http'] as const) {
    it(`propagates a store change to the file and reloads the app by ${via}`, async () => {
      const root = join(dir, 'vol');
      assert.equal((await runInit(await writeSpec(dir, spec()), root, AWS_ENV)).code, 0);
      const a = await app(root);
      const reload: SidecarSpec['reload'] = via === 'SIGHUP' ? [{ type: 'signal', signal: 'SIGHUP', process: 'sample-app.js' }] : [{ type: 'http', url: `${a.url}/reload` }];
      const sc = await sidecar(spec({ reload }), root);
      await put('/team-a/app/config', '{"greeting":"changed"}');
      await waitFor(async () => JSON.stringify((await a.state()).config) === '{"greeting":"changed"}', 15000, 'the app to load the new value');
      const st = await a.state();
      assert.equal(st.via, via);
      assert.equal(st.loads, 2, 'exactly one reload');
      const m = await sc.metrics();
      assert.equal(metricValue(m, 'bulwark_sidecar_reloads_total', `strategy="${via === 'SIGHUP' ? 'signal' : 'http'}",result="success"`), 1);
      const change = sc.logs.find((l) => l.message === 'file changed');
      assert.equal(change?.file, 'app.json');
      assert.equal(change?.provider, 'aws-ssm');
      assert.ok(!JSON.stringify(sc.logs).includes('changed"}'), 'no content in logs');
    });
  }

  it('rolls back when the app is unhealthy after a change, and skips the bad value until it changes', async () => {
    const root = join(dir, 'vol');
    assert.equal((await runInit(await writeSpec(dir, spec()), root, AWS_ENV)).code, 0);
    const a = await app(root);
    const sc = await sidecar(spec({ reload: [{ type: 'http', url: `${a.url}/reload` }], health: { url: `${a.url}/healthz`, timeoutSeconds: 2 } }), root);
    await put('/team-a/app/config', '{"greeting":"bad","break":true}');
    await waitFor(async () => metricValue(await sc.metrics(), 'bulwark_sidecar_rollbacks_total') === 1, 20000, 'a rollback');
    await waitFor(async () => (await a.state()).raw?.includes('hello') === true, 5000, 'the app to reload the restored file');
    assert.deepEqual(await content(root), { greeting: 'hello' });
    assert.equal((await fetch(`${a.url}/healthz`)).status, 200);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(metricValue(await sc.metrics(), 'bulwark_sidecar_rollbacks_total'), 1, 'bad version not retried');
    await put('/team-a/app/config', '{"greeting":"fixed"}');
    await waitFor(async () => (await content(root)).greeting === 'fixed', 15000, 'the fixed value');
  });

  it('keeps serving last good content while the store is down, staleness grows, then recovers', async () => {
    const root = join(dir, 'vol');
    assert.equal((await runInit(await writeSpec(dir, spec()), root, AWS_ENV)).code, 0);
    const sc = await sidecar(spec(), root);
    await waitFor(async () => metricValue(await sc.metrics(), 'bulwark_sidecar_staleness_seconds', 'file="app.json"') !== undefined, 10000, 'a first fetch');
    await moto!.kill();
    try {
      await new Promise((r) => setTimeout(r, 4000));
      const m = await sc.metrics();
      assert.ok(metricValue(m, 'bulwark_sidecar_staleness_seconds', 'file="app.json"')! >= 2.5, 'staleness grows while the store is down');
      assert.ok((metricValue(m, 'bulwark_sidecar_fetch_total', 'provider="aws-ssm",result="UNAVAILABLE"') ?? 0) >= 1);
      assert.deepEqual(await content(root), { greeting: 'hello' });
      const health = (await (await fetch(`http://127.0.0.1:${sc.port}/healthz`)).json()) as { files: Record<string, { stalenessSeconds: number }> };
      assert.ok(health.files['app.json']!.stalenessSeconds >= 2.5);
    } finally {
      await moto!.restart();
    }
    await put('/team-a/app/config', '{"greeting":"back"}');
    await waitFor(async () => (await content(root)).greeting === 'back', 30000, 'recovery after the store is back');
    assert.ok(metricValue(await sc.metrics(), 'bulwark_sidecar_staleness_seconds', 'file="app.json"')! < 5);
  });
});
