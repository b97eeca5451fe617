import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admissionReview, request } from '../../helpers/https.js';
import { runCli, startServe, type ServeProcess } from '../../helpers/process.js';

describe('bulwark serve (the npm start path)', function () {
  this.timeout(60_000);
  let state: string;
  let proc: ServeProcess;
  let ca: string;
  let base: string;

  before(async () => {
    state = await mkdtemp(join(tmpdir(), 'bulwark-serve-'));
    proc = await startServe(['--port', '0', '--state-dir', state, '--cluster', 'none']);
    ca = await readFile(proc.caFile, 'utf8');
    base = `https://127.0.0.1:${proc.port}`;
  });
  after(async () => {
    if (proc.child.exitCode === null) await proc.stop();
    await rm(state, { recursive: true, force: true });
  });

  it('generates a CA into the state directory and prints its path', () => {
    assert.equal(proc.caFile, join(state, 'certs', 'ca.crt'));
    assert.match(ca, /BEGIN CERTIFICATE/);
  });

  it('is ready with the default policies loaded', async () => {
    const res = await request(`${base}/readyz`, { ca });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.checks.policies, true);
  });

  it('denies a ConfigMap holding a private key in a prod namespace (the README walkthrough)', async () => {
    const body = admissionReview({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app', namespace: 'shop-prod' },
      data: { 'tls.pem': '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----' },
    });
    const res = await request(`${base}/validate`, { body, ca });
    assert.equal(res.json.response.uid, body.request.uid);
    assert.equal(res.json.response.allowed, false);
    assert.match(res.json.response.status.message, /rule secret-leaks: .*tls.pem.*pem-private-key/);
    assert.doesNotMatch(JSON.stringify(res.json), /MIIEowIBAAKCAQEAx/, 'the secret value is never echoed');
  });

  it('injects the sidecar into a pod that opts in', async () => {
    const body = admissionReview({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop-dev', annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.yaml': 'app-base' } },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    const res = await request(`${base}/mutate`, { body, ca });
    assert.equal(res.json.response.allowed, true, JSON.stringify(res.json.response.status));
    const patch = JSON.parse(Buffer.from(res.json.response.patch, 'base64').toString());
    assert.ok(patch.some((op: any) => JSON.stringify(op.value ?? '').includes('bulwark-sidecar')));
  });

  it('exits 0 on SIGTERM', async () => {
    assert.equal(await proc.stop(), 0);
    assert.match(proc.stderr(), /"message":"shutdown complete"/);
  });

  it('refuses to start on a malformed setting and names it', async () => {
    const r = await runCli(['serve', '--port', 'https'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port \(BULWARK_PORT="https"\)/);
  });

  it('exits non-zero at once when its port is taken (EADDRINUSE), instead of running on with nothing listening', async () => {
    const other = await mkdtemp(join(tmpdir(), 'bulwark-serve-busy-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = await runCli(['serve', '--port', String(port), '--address', '127.0.0.1', '--state-dir', other, '--cluster', 'none']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /EADDRINUSE|in use/i);
    } finally {
      blocker.close();
      await rm(other, { recursive: true, force: true });
    }
  });
});
