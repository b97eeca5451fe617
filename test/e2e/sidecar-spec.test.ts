/**
 * The sidecar with the spec the webhook produced: a pod that opts in is created through the real
 * apiserver with annotations naming every real store (moto for SSM and Secrets Manager, OpenBao KV v2,
 * the GCP emulator, Consul when installed, and Kubernetes itself), the BULWARK_SPEC of its
 * bulwark-init container is handed to the compiled `bulwark-sidecar`, which writes every file from the
 * stores (`init`), then keeps them current and makes the sample app reload when a value changes (`run`).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient, CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { testCluster } from './harness/env.js';
import { eventually, pod, webhookWithNamespaces } from './harness/fixtures.js';
import { freePort, gcpAddVersion, peerBinary, requirePeer, startBao, startConsul, startGcp, startMoto, type Peer } from '../integration/sidecar/peers.js';
import { metricValue, runInit, startSidecar, type RunningSidecar } from '../integration/sidecar/sidecar-process.js';
import { startSampleApp, waitFor, type SampleApp } from '../sample-app/control.js';
import type { SidecarSpec } from '../../sidecar/spec/types.js';

const NS = 'e2e-sidecar';
const TENANT = 'team-a';
const STORE = { ssm: 'e2e-sc-ssm', sm: 'e2e-sc-sm', vault: 'e2e-sc-vault', gcp: 'e2e-sc-gcp', consul: 'e2e-sc-consul' } as const;
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
/** Deadline for a polled change (refresh 5s, the webhook's minimum, plus jitter and backoff) to reach a file. */
const PROPAGATION_MS = 30_000;


describe('e2e: sidecar runs the webhook-produced spec against real stores', function () {
  this.timeout(120_000);
  const cleanups: Array<() => Promise<unknown>> = [];
  const peers: { moto?: Peer; bao?: Peer; gcp?: Peer; consul?: Peer } = {};
  let dir = '';
  let root = '';
  let specFile = '';
  let spec: SidecarSpec;
  let appPort = 0;
  let app: SampleApp | undefined;
  let sidecar: RunningSidecar | undefined;
  let ssm: SSMClient;
  let sm: SecretsManagerClient;
  let sidecarEnv: Record<string, string> = {};
  /** Every value seeded or written to a store, to prove none of them reaches the spec or a log line. */
  const secretValues: string[] = [];

  const bao = async (path: string, data: Record<string, string>): Promise<void> => {
    const res = await fetch(`${peers.bao!.url}/v1/${path}`, { method: 'POST', headers: { 'X-Vault-Token': 'root', 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
    if (!res.ok) throw new Error(`OpenBao POST ${path}: HTTP ${res.status}`);
  };
  const consulPut = async (key: string, value: string): Promise<void> => {
    const res = await fetch(`${peers.consul!.url}/v1/kv/${key}`, { method: 'PUT', body: value });
    if (!res.ok) throw new Error(`Consul PUT ${key}: HTTP ${res.status}`);
  };
  const secret = (v: string): string => {
    secretValues.push(v);
    return v;
  };
  const file = (name: string): Promise<string> => readFile(join(root, name), 'utf8');
  const kubectl = () => testCluster().kubectl;

  /** The pod's annotations: one file per store, a template, a merged config, an env file, HTTP reload. */
  function annotations(): Record<string, string> {
    const a: Record<string, string> = {
      'bulwark.dev/inject': 'true',
      // ConfigMap base (kubernetes store) overlaid by an SSM parameter: later wins
      'bulwark.dev/config.app.json': `app-base#app.json, ${STORE.ssm}:${TENANT}/app/config`,
      'bulwark.dev/secret.db-password': `${STORE.vault}:secret/${TENANT}/db#password`,
      'bulwark.dev/secret.db-url': `${STORE.vault}:secret/${TENANT}/db`,
      'bulwark.dev/template.db-url': 'postgres://{{user}}:{{password}}@db:5432/app',
      'bulwark.dev/secret.db.env': `${STORE.vault}:secret/${TENANT}/db`,
      'bulwark.dev/secret.api-token': `${STORE.sm}:${TENANT}/api#token`,
      'bulwark.dev/secret.signing-key': `${STORE.gcp}:${TENANT}-signing-key`,
      'bulwark.dev/secret.session-key': 'kubernetes:secret/app-session#key',
      'bulwark.dev/reload': `http:http://127.0.0.1:${appPort}/reload`,
      'bulwark.dev/refresh': '5s',
    };
    if (peers.consul) a['bulwark.dev/config.features.json'] = `${STORE.consul}:${TENANT}/features`;
    return a;
  }

  /** The ClusterSecretStore custom resources pointing at the local peers. */
  function stores(tokenFile: string): unknown {
    const css = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ClusterSecretStore', metadata: { name }, spec });
    const items = [
      css(STORE.ssm, { provider: 'aws-ssm', address: peers.moto!.url, region: 'us-east-1', auth: { method: 'default' }, pathPrefixes: ['{tenant}/'] }),
      css(STORE.sm, { provider: 'aws-secrets-manager', address: peers.moto!.url, region: 'us-east-1', auth: { method: 'default' }, pathPrefixes: ['{tenant}/'] }),
      css(STORE.vault, { provider: 'vault', address: peers.bao!.url, kvVersion: 2, auth: { method: 'token', tokenFile }, pathPrefixes: ['secret/{tenant}/'] }),
      css(STORE.gcp, { provider: 'gcp-secret-manager', address: peers.gcp!.url, project: 'bulwark-e2e', auth: { method: 'none' } }),
    ];
    if (peers.consul) items.push(css(STORE.consul, { provider: 'consul', address: peers.consul.url, pathPrefixes: ['{tenant}/'] }));
    return { apiVersion: 'v1', kind: 'List', items };
  }

  before(async function () {
    this.timeout(180_000);
    const bins = { moto: requirePeer(this, 'moto'), bao: requirePeer(this, 'openbao'), gcp: requirePeer(this, 'gcp'), consul: peerBinary('consul') };
    if (!bins.consul) console.log('      (Consul not installed: no Consul file; `bash test/peers/install.sh consul` adds it)');
    dir = await mkdtemp(join(tmpdir(), 'bulwark-e2e-sidecar-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    root = join(dir, 'volume');
    await mkdir(root);
    await webhookWithNamespaces();

    // the stores, in parallel; each one that started is stopped in after() whatever else failed
    const starting: Array<Promise<unknown>> = [
      startMoto(bins.moto).then((p) => (peers.moto = p)),
      startBao(bins.bao).then((p) => (peers.bao = p)),
      startGcp(bins.gcp).then((p) => (peers.gcp = p)),
      ...(bins.consul ? [startConsul(bins.consul).then((p) => (peers.consul = p))] : []),
    ];
    const started = await Promise.allSettled(starting);
    for (const p of Object.values(peers)) cleanups.push(() => p!.stop());
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // seed every store
    const aws = { region: 'us-east-1', endpoint: peers.moto!.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    ssm = new SSMClient(aws);
    sm = new SecretsManagerClient(aws);
    cleanups.push(async () => {
      ssm.destroy();
      sm.destroy();
    });
    await ssm.send(new PutParameterCommand({ Name: `/${TENANT}/app/config`, Value: JSON.stringify({ greeting: 'hello', limits: { rps: 10 } }), Type: 'SecureString' }));
    await sm.send(new CreateSecretCommand({ Name: `${TENANT}/api`, SecretString: JSON.stringify({ token: secret('tok-seeded-4f1a') }) }));
    await bao(`secret/data/${TENANT}/db`, { user: 'app', password: secret('pw-seeded-9c2e') });
    await gcpAddVersion(peers.gcp!.url, 'bulwark-e2e', `${TENANT}-signing-key`, secret('sig-seeded-77b0'));
    if (peers.consul) await consulPut(`${TENANT}/features`, JSON.stringify({ beta: false }));
    const tokenFile = join(dir, 'bao-token');
    await writeFile(tokenFile, 'root\n', { mode: 0o600 });

    // the namespace, its ConfigMap and Secret, and the stores as custom resources
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': TENANT } } }) });
    await k.ok(['-n', NS, 'create', 'configmap', 'app-base', `--from-literal=app.json=${JSON.stringify({ greeting: 'base', server: { port: 8080 } })}`]);
    await k.ok(['-n', NS, 'create', 'secret', 'generic', 'app-session', `--from-literal=key=${secret('sess-seeded-31d8')}`]);
    cleanups.push(() => k.run(['delete', 'clustersecretstores.bulwark.dev', ...Object.values(STORE), '--ignore-not-found', '--wait=false']));
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(stores(tokenFile)) });

    // the pod: wait until the webhook's caches know the namespace's tenant and the new stores
    appPort = await freePort();
    const p = pod(NS, 'app', annotations());
    await eventually(async () => {
      const r = await k.create(p, ['--dry-run=server', '-o', 'json']);
      if (r.code !== 0) throw new Error(`dry-run of the pod denied: ${r.stderr.trim()}`);
      if (!JSON.parse(r.stdout).spec.initContainers) throw new Error('the dry-run pod was not injected');
    }, 30_000, 500);
    await k.ok(['create', '-f', '-'], { input: JSON.stringify(p) });
    const stored = await k.getJson('pod', 'app', NS);
    const specOf = (name: string) => stored.spec.initContainers?.find((c: any) => c.name === name)?.env?.find((e: any) => e.name === 'BULWARK_SPEC')?.value as string | undefined;
    const text = specOf('bulwark-init');
    assert.ok(text, 'bulwark-init carries BULWARK_SPEC');
    assert.equal(specOf('bulwark-sidecar'), text, 'bulwark-sidecar gets the same spec as bulwark-init');
    spec = JSON.parse(text) as SidecarSpec;
    specFile = join(dir, 'spec.json');
    await writeFile(specFile, text);
    sidecarEnv = { ...AWS_ENV, KUBECONFIG: testCluster().kubeconfig };
  });

  after(async function () {
    this.timeout(60_000);
    if (sidecar) cleanups.push(() => sidecar!.stop());
    if (app) cleanups.push(() => app!.stop());
    while (cleanups.length) await cleanups.pop()!().catch((err: unknown) => console.log(`      (cleanup: ${(err as Error).message})`));
  });

  it('the webhook turns the annotations into a spec with every store at its local peer and the tenant prefixes', () => {
    const files = Object.fromEntries(spec.files.map((f) => [f.name, f]));
    const want = ['api-token', 'app.json', 'db-password', 'db-url', 'db.env', 'session-key', 'signing-key', ...(peers.consul ? ['features.json'] : [])].sort();
    assert.deepEqual(Object.keys(files).sort(), want);
    assert.deepEqual(files['app.json']!.sources, [
      { store: 'kubernetes', path: 'configmap/app-base', key: 'app.json' },
      { store: STORE.ssm, path: `${TENANT}/app/config` },
    ]);
    assert.equal(files['db-url']!.template, 'postgres://{{user}}:{{password}}@db:5432/app');
    assert.equal(files['db.env']!.format, 'env');
    assert.equal(spec.stores[STORE.vault]!.address, peers.bao!.url);
    assert.deepEqual(spec.stores[STORE.vault]!.pathPrefixes, [`secret/${TENANT}/`]);
    assert.deepEqual(spec.stores[STORE.ssm]!.pathPrefixes, [`${TENANT}/`]);
    assert.equal(spec.stores.kubernetes!.provider, 'kubernetes');
    assert.deepEqual(spec.reload, [{ type: 'http', url: `http://127.0.0.1:${appPort}/reload` }]);
    assert.equal(spec.refreshSeconds, 5);
    assert.deepEqual(spec.pod, { ...spec.pod, namespace: NS, name: 'app', tenant: TENANT });
    const text = JSON.stringify(spec);
    for (const v of secretValues) assert.ok(!text.includes(v), 'a store value reached the spec');
  });

  it('init fetches from every store and writes each file 0400 with the seeded values', async () => {
    const r = await runInit(specFile, root, sidecarEnv);
    assert.equal(r.code, 0, r.stderr);
    console.log(`      (init wrote ${spec.files.length} files from ${Object.keys(spec.stores).length} stores in ${r.ms} ms)`);
    for (const f of spec.files) {
      const st = await stat(join(root, f.name));
      assert.equal((st.mode & 0o777).toString(8), '400', `${f.name} mode`);
    }
    assert.deepEqual(JSON.parse(await file('app.json')), { greeting: 'hello', server: { port: 8080 }, limits: { rps: 10 } });
    assert.equal(await file('db-password'), 'pw-seeded-9c2e');
    assert.equal(await file('db-url'), 'postgres://app:pw-seeded-9c2e@db:5432/app');
    assert.match(await file('db.env'), /^password=["']?pw-seeded-9c2e["']?$/m);
    assert.match(await file('db.env'), /^user=["']?app["']?$/m);
    assert.equal(await file('api-token'), 'tok-seeded-4f1a');
    assert.equal(await file('signing-key'), 'sig-seeded-77b0');
    assert.equal(await file('session-key'), 'sess-seeded-31d8');
    if (peers.consul) assert.deepEqual(JSON.parse(await file('features.json')), { beta: false });
    for (const v of secretValues) assert.ok(!r.stderr.includes(v), 'a store value reached the init log');
  });

  it('run: an SSM change reaches app.json and the sample app reloads once over HTTP', async () => {
    app = await startSampleApp(join(root, 'app.json'), appPort);
    assert.equal((await app.state()).loads, 1);
    sidecar = await startSidecar(specFile, root, sidecarEnv);
    const t0 = Date.now();
    await ssm.send(new PutParameterCommand({ Name: `/${TENANT}/app/config`, Value: JSON.stringify({ greeting: 'changed-in-ssm', limits: { rps: 10 } }), Type: 'SecureString', Overwrite: true }));
    await waitFor(async () => JSON.parse(await file('app.json')).greeting === 'changed-in-ssm', PROPAGATION_MS, 'app.json to carry the SSM change');
    await waitFor(async () => (await app!.state()).loads >= 2, 10_000, 'the sample app to reload');
    console.log(`      (SSM change → app reloaded in ${Date.now() - t0} ms)`);
    const st = await app.state();
    assert.equal(st.via, 'http');
    assert.deepEqual(st.config, { greeting: 'changed-in-ssm', server: { port: 8080 }, limits: { rps: 10 } });
    assert.equal(st.loads, 2, 'exactly one reload for one change');
    assert.equal(metricValue(await sidecar.metrics(), 'bulwark_sidecar_reloads_total', 'strategy="http",result="success"'), 1);
    const change = sidecar.logs.find((l) => l.message === 'file changed' && l.file === 'app.json');
    assert.match(String(change?.provider), /\baws-ssm\b/, 'the change is attributed to the SSM layer');
  });

  it('run: a ConfigMap change (kubernetes watch through the kubeconfig) reaches app.json and reloads the app', async () => {
    const before = (await app!.state()).loads;
    const t0 = Date.now();
    await kubectl().ok(['-n', NS, 'patch', 'configmap', 'app-base', '--type=merge', '-p', JSON.stringify({ data: { 'app.json': JSON.stringify({ greeting: 'base', server: { port: 9090 } }) } })]);
    await waitFor(async () => JSON.parse(await file('app.json')).server?.port === 9090, PROPAGATION_MS, 'app.json to carry the ConfigMap change');
    await waitFor(async () => ((await app!.state()).config as { server?: { port?: number } }).server?.port === 9090, 10_000, 'the sample app to reload the ConfigMap change');
    console.log(`      (ConfigMap change → app reloaded in ${Date.now() - t0} ms)`);
    const st = await app!.state();
    assert.ok(st.loads > before);
    assert.equal(st.via, 'http');
    assert.equal((st.config as { greeting: string }).greeting, 'changed-in-ssm', 'the SSM layer still wins over the ConfigMap base');
  });

  it('run: changes in OpenBao, Secrets Manager, the GCP emulator, a Secret (and Consul) reach their files', async () => {
    const before = (await app!.state()).loads;
    const t0 = Date.now();
    await bao(`secret/data/${TENANT}/db`, { user: 'app', password: secret('pw-rotated-0d4b') });
    await sm.send(new PutSecretValueCommand({ SecretId: `${TENANT}/api`, SecretString: JSON.stringify({ token: secret('tok-rotated-a61c') }) }));
    await gcpAddVersion(peers.gcp!.url, 'bulwark-e2e', `${TENANT}-signing-key`, secret('sig-rotated-5e93'));
    await kubectl().ok(['-n', NS, 'patch', 'secret', 'app-session', '--type=merge', '-p', JSON.stringify({ stringData: { key: secret('sess-rotated-c2f7') } })]);
    if (peers.consul) await consulPut(`${TENANT}/features`, JSON.stringify({ beta: true }));
    const want: Record<string, (s: string) => boolean> = {
      'db-password': (s) => s === 'pw-rotated-0d4b',
      'db-url': (s) => s === 'postgres://app:pw-rotated-0d4b@db:5432/app',
      'db.env': (s) => s.includes('pw-rotated-0d4b'),
      'api-token': (s) => s === 'tok-rotated-a61c',
      'signing-key': (s) => s === 'sig-rotated-5e93',
      'session-key': (s) => s === 'sess-rotated-c2f7',
      ...(peers.consul ? { 'features.json': (s: string) => JSON.parse(s).beta === true } : {}),
    };
    for (const [name, ok] of Object.entries(want)) await waitFor(async () => ok(await file(name)), PROPAGATION_MS, `${name} to carry the new value`);
    console.log(`      (${Object.keys(want).length} secret files rotated in ${Date.now() - t0} ms)`);
    for (const f of spec.files) assert.equal(((await stat(join(root, f.name))).mode & 0o777).toString(8), '400', `${f.name} mode after the swap`);
    await waitFor(async () => (await app!.state()).loads > before, 10_000, 'the sample app to be told about the new files');
    const changed = new Set(sidecar!.logs.filter((l) => l.message === 'file changed').map((l) => l.file));
    for (const name of Object.keys(want)) assert.ok(changed.has(name), `no "file changed" log for ${name}`);
    const logs = JSON.stringify(sidecar!.logs);
    for (const v of secretValues) assert.ok(!logs.includes(v), 'a store value reached a sidecar log line');
    const health = (await (await fetch(`http://127.0.0.1:${sidecar!.port}/healthz`)).json()) as { status: string; files: Record<string, unknown> };
    assert.equal(health.status, 'ok');
    assert.deepEqual(Object.keys(health.files).sort(), spec.files.map((f) => f.name).sort());
  });

  // KV v2 paths as docs/annotations.md, policies/stores and policies/tenants write them (API form, with
  // data/): the webhook admits them against prefixes secret/data/{tenant}/ and the sidecar reads them.
  it('init reads a KV v2 secret referenced the documented way (secret/data/<tenant>/...)', async () => {
    const k = kubectl();
    const name = 'e2e-sc-vault-docs';
    cleanups.push(() => k.run(['delete', 'clustersecretstores.bulwark.dev', name, '--ignore-not-found', '--wait=false']));
    const store = { ...spec.stores[STORE.vault], pathPrefixes: ['secret/data/{tenant}/'] };
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ClusterSecretStore', metadata: { name }, spec: store }) });
    const p = pod(NS, 'app-docs', { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db-password': `${name}:secret/data/${TENANT}/db#password` });
    const created = await eventually(async () => {
      const r = await k.create(p, ['-o', 'json']);
      if (r.code !== 0) throw new Error(`pod denied: ${r.stderr.trim()}`);
      return JSON.parse(r.stdout);
    }, 30_000, 500);
    const text = created.spec.initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC').value as string;
    const docsSpec = join(dir, 'spec-docs.json');
    await writeFile(docsSpec, text);
    const docsRoot = join(dir, 'volume-docs');
    const r = await runInit(docsSpec, docsRoot, sidecarEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(docsRoot, 'db-password'), 'utf8'), 'pw-rotated-0d4b');
  });
});
