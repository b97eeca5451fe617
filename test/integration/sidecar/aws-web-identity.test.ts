/**
 * AWS web identity (IRSA on EKS) end to end: the compiled `bulwark-sidecar init` runs with a clean
 * environment (no static keys, only AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_REGION and an STS
 * endpoint), the SDK's default chain calls STS AssumeRoleWithWebIdentity on moto, and SSM and
 * Secrets Manager are read with the credentials STS issued. Proof that the path was taken: a
 * recording proxy in front of moto's STS sees the call carrying the token file's content, moto's
 * state lists the assumed-role session, and the values come from the role's account (moto keys
 * resources by the account of the access key), not from the default account, which holds decoys.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { requirePeer, startMoto, type Peer } from './peers.js';
import { SIDECAR_MAIN, writeSpec } from './sidecar-process.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';

const ROLE_ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:role/team-a-app`;
const SESSION = 'bulwark-irsa-test';
/** A JWT-shaped projected service-account token (moto does not verify it; the proxy checks it is sent). */
const TOKEN = [
  Buffer.from('{"alg":"RS256","kid":"test"}').toString('base64url'),
  Buffer.from('{"iss":"https://oidc.eks.example","sub":"system:serviceaccount:team-a:app","aud":["sts.amazonaws.com"]}').toString('base64url'),
  Buffer.from('not-a-real-signature').toString('base64url'),
].join('.');

/** One STS request seen by the recording proxy (form-encoded AWS query parameters). */
type StsCall = Record<string, string>;

/** An HTTP proxy in front of moto that records every request body, so the test sees what STS was asked. */
async function recordingProxy(target: string, calls: StsCall[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection')) as Record<string, string>;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** Adds moto's account selector header to a request (the admin seeds resources in another account). */
function withAccount<T extends { request: unknown }>(args: T, account: string): T {
  (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
  return args;
}

/** Runs `bulwark-sidecar init` with exactly the given environment (nothing inherited but PATH). */
function initClean(specFile: string, root: string, env: Record<string, string>): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SIDECAR_MAIN, 'init', '--spec-file', specFile, '--root', root], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('exit', (code) => resolve({ code: code ?? -1, stderr, ms: Date.now() - started }));
  });
}

describe('AWS web identity (IRSA) against moto: bulwark-sidecar init without static credentials', function () {
  this.timeout(30000);
  let moto: Peer | undefined;
  let proxy: Server | undefined;
  let proxyUrl: string;
  let dir: string;
  let tokenFile: string;
  const stsCalls: StsCall[] = [];

  const spec = (onFailure: SidecarSpec['onFailure'] = 'fail'): SidecarSpec => ({
    version: 1,
    pod: { namespace: 'team-a', name: 'app-1' },
    mountPath: '/bulwark',
    files: [
      { name: 'db-url', kind: 'config', sources: [{ store: 'ssm', path: 'team-a/app/db-url' }], format: 'raw', mode: 0o400 },
      { name: 'db-password', kind: 'secret', sources: [{ store: 'secrets', path: 'team-a/db', key: 'password' }], format: 'raw', mode: 0o400 },
    ],
    stores: {
      ssm: { provider: 'aws-ssm', address: moto!.url, region: 'us-east-1', auth: { method: 'default' }, pathPrefixes: ['team-a/'] },
      secrets: { provider: 'aws-secrets-manager', address: moto!.url, region: 'us-east-1', auth: { method: 'default' }, pathPrefixes: ['team-a/'] },
    },
    reload: [{ type: 'none' }],
    refreshSeconds: 30,
    onFailure,
    initOnly: true,
    debounceMs: 50,
  });
  /** The pod environment IRSA gives a container, plus a home without ~/.aws and no instance metadata. */
  const irsaEnv = (stsVar: string): Record<string, string> => ({
    HOME: dir,
    AWS_REGION: 'us-east-1',
    AWS_ROLE_ARN: ROLE_ARN,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_SESSION_NAME: SESSION,
    AWS_EC2_METADATA_DISABLED: 'true',
    [stsVar]: proxyUrl,
  });

  /** Seeds the same names in an account: the role's holds the real values, the default one decoys. */
  async function seed(account: string | undefined, url: string, password: string): Promise<void> {
    const cfg = { region: 'us-east-1', endpoint: moto!.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const ssm = new SSMClient(cfg);
    const sm = new SecretsManagerClient(cfg);
    if (account) {
      const header = { step: 'build', name: 'motoAccount' } as const;
      ssm.middlewareStack.add((next) => (args) => next(withAccount(args, account)), header);
      sm.middlewareStack.add((next) => (args) => next(withAccount(args, account)), header);
    }
    await ssm.send(new PutParameterCommand({ Name: '/team-a/app/db-url', Value: url, Type: 'SecureString' }));
    await sm.send(new CreateSecretCommand({ Name: 'team-a/db', SecretString: JSON.stringify({ user: 'app', password }) }));
    ssm.destroy();
    sm.destroy();
  }

  before(async function () {
    const bin = requirePeer(this, 'moto');
    moto = await startMoto(bin);
    const p = await recordingProxy(moto.url, stsCalls);
    proxy = p.server;
    proxyUrl = p.url;
    await seed(ROLE_ACCOUNT, 'postgres://db.role-account', 'from-role-account');
    await seed(undefined, 'postgres://db.default-account', 'from-default-account');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-irsa-'));
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, TOKEN);
    stsCalls.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  after(async () => {
    await new Promise((r) => proxy?.close(r) ?? r(undefined));
    await moto?.stop();
  });

  for (const stsVar of ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']) {
    it(`init writes SSM and Secrets Manager values fetched with AssumeRoleWithWebIdentity credentials (STS endpoint from ${stsVar})`, async () => {
      const root = join(dir, 'vol');
      const r = await initClean(await writeSpec(dir, spec()), root, irsaEnv(stsVar));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await readFile(join(root, 'db-url'), 'utf8'), 'postgres://db.role-account');
      assert.equal(await readFile(join(root, 'db-password'), 'utf8'), 'from-role-account');
      assert.equal((await stat(join(root, 'db-password'))).mode & 0o777, 0o400);

      const webIdentity = stsCalls.filter((c) => c.Action === 'AssumeRoleWithWebIdentity');
      assert.ok(webIdentity.length >= 1, `STS saw no AssumeRoleWithWebIdentity call: ${JSON.stringify(stsCalls.map((c) => c.Action))}`);
      for (const c of webIdentity) {
        assert.equal(c.RoleArn, ROLE_ARN);
        assert.equal(c.RoleSessionName, SESSION);
        assert.equal(c.WebIdentityToken, TOKEN, 'the token file content is what STS receives');
      }
      const state = (await (await fetch(`${moto!.url}/moto-api/data.json`)).json()) as { sts?: { AssumedRole?: Array<{ role_arn: string; session_name: string; account_id: string; access_key_id: string }> } };
      const sessions = (state.sts?.AssumedRole ?? []).filter((a) => a.session_name === SESSION);
      assert.ok(sessions.length >= 1, 'moto issued an assumed-role session');
      assert.ok(sessions.every((a) => a.role_arn === ROLE_ARN && a.account_id === ROLE_ACCOUNT && a.access_key_id.startsWith('ASIA')));
      assert.ok(!r.stderr.includes('from-role-account') && !r.stderr.includes(TOKEN), 'no secret value or token in the logs');
    });
  }

  it('without AWS_ROLE_ARN and the token file, init fails naming the store and the missing credentials', async () => {
    const env = irsaEnv('AWS_ENDPOINT_URL_STS');
    delete env.AWS_ROLE_ARN;
    delete env.AWS_WEB_IDENTITY_TOKEN_FILE;
    const root = join(dir, 'vol');
    const r = await initClean(await writeSpec(dir, spec()), root, env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot read ssm:team-a\/app\/db-url \(store ssm, provider aws-ssm\)/);
    assert.match(r.stderr, /cannot read secrets:team-a\/db#password \(store secrets, provider aws-secrets-manager\)/);
    assert.match(r.stderr, /no AWS credentials found/);
    assert.match(r.stderr, /AWS_ROLE_ARN/);
    assert.equal(stsCalls.length, 0, 'STS was not called');
    await assert.rejects(stat(join(root, 'db-url')), 'nothing written');
  });

  it('with AWS_WEB_IDENTITY_TOKEN_FILE pointing at a missing file, init fails naming that file', async () => {
    const env = { ...irsaEnv('AWS_ENDPOINT_URL_STS'), AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'not-mounted', 'token') };
    const r = await initClean(await writeSpec(dir, spec()), join(dir, 'vol'), env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /store ssm, provider aws-ssm/);
    assert.match(r.stderr, /cannot read the web identity token file .*not-mounted\/token/);
    assert.equal(stsCalls.length, 0, 'STS was not called');
  });
});
