import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowed, denied, patched } from '../../../webhook/admission/response.js';
import type { Handler } from '../../../webhook/admission/handler.js';
import { generateCerts } from '../../../webhook/certs/generate.js';
import { loadTlsDir, writeCertDir } from '../../../webhook/certs/files.js';
import { CertReloader } from '../../../webhook/certs/reloader.js';
import { silentLogger } from '../../../webhook/log.js';
import { createMetrics } from '../../../webhook/metrics.js';
import { AdmissionServer } from '../../../webhook/server/server.js';
import { admissionReview, request } from '../../helpers/https.js';

/** A handler with observable behaviour driven by the object's name, to exercise the HTTP edge. */
const byName: Handler = {
  name: 'by-name',
  async handle(req) {
    const name = req.object?.metadata?.name ?? '';
    if (name === 'deny') return denied('ConfigMap default/deny must set immutable: true');
    if (name === 'patch') return patched([{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }], ['audit: x']);
    if (name === 'throw') throw new Error('handler exploded');
    if (name.startsWith('slow')) await new Promise((r) => setTimeout(r, 400));
    return allowed();
  },
};

describe('admission server over real TLS', function () {
  let dir: string;
  let ca: string;
  let server: AdmissionServer;
  let base: string;
  const metrics = createMetrics({ processMetrics: false });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-srv-'));
    const certs = generateCerts(['localhost', '127.0.0.1']);
    ca = certs.ca.certPem;
    await writeCertDir(dir, certs);
    server = new AdmissionServer({
      address: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, maxJsonDepth: 100, keepAliveTimeoutMs: 5000, shutdownTimeoutMs: 2000,
      tls: await loadTlsDir(dir), mutate: byName, validate: byName, logger: silentLogger, metrics, readiness: { policies: () => true },
    });
    base = `https://127.0.0.1:${await server.listen()}`;
  });
  after(async () => {
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves only forward-secret AEAD suites on TLS 1.2, TLS 1.3, and no TLS 1.1', async () => {
    const { connect } = await import('node:tls');
    const port = Number(new URL(base).port);
    const handshake = (opts: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...opts }, () => {
          const c = s.getCipher();
          s.end();
          resolve(`${s.getProtocol()} ${c.name}`);
        });
        s.on('error', (err) => resolve(`refused: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
    assert.match(await handshake({}), /^TLSv1\.3 /);
    assert.match(await handshake({ maxVersion: 'TLSv1.2' }), /^TLSv1\.2 ECDHE-(RSA|ECDSA)-(AES\d+-GCM|CHACHA20)/);
    // static-RSA key exchange and CBC-SHA1: refused
    assert.match(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' }), /^refused/);
    assert.match(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' }), /^refused/);
    assert.match(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), /^refused/);
  });

  it('answers allowed, echoing the uid', async () => {
    const body = admissionReview({ kind: 'ConfigMap', metadata: { name: 'ok' } });
    const res = await request(`${base}/validate`, { body, ca });
    assert.equal(res.status, 200);
    assert.equal(res.json.apiVersion, 'admission.k8s.io/v1');
    assert.equal(res.json.kind, 'AdmissionReview');
    assert.deepEqual(res.json.response, { uid: body.request.uid, allowed: true });
  });

  it('answers denied with code, reason and message', async () => {
    const res = await request(`${base}/validate`, { body: admissionReview({ kind: 'ConfigMap', metadata: { name: 'deny' } }), ca });
    assert.equal(res.json.response.allowed, false);
    assert.equal(res.json.response.status.code, 403);
    assert.match(res.json.response.status.message, /must set immutable: true/);
  });

  it('answers with a base64 JSONPatch and warnings', async () => {
    const res = await request(`${base}/mutate`, { body: admissionReview({ kind: 'Pod', metadata: { name: 'patch' } }), ca });
    assert.equal(res.json.response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(res.json.response.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]);
    assert.deepEqual(res.json.response.warnings, ['audit: x']);
  });

  it('turns a handler exception into an errored review and keeps serving', async () => {
    const body = admissionReview({ kind: 'Pod', metadata: { name: 'throw' } });
    const res = await request(`${base}/mutate`, { body, ca });
    assert.equal(res.status, 200);
    assert.equal(res.json.response.uid, body.request.uid);
    assert.equal(res.json.response.allowed, false);
    assert.equal(res.json.response.status.code, 500);
    assert.match(res.json.response.status.message, new RegExp(body.request.uid));
    const next = await request(`${base}/mutate`, { body: admissionReview({ kind: 'Pod', metadata: { name: 'ok' } }), ca });
    assert.equal(next.json.response.allowed, true);
  });

  const malformed: Array<{ name: string; body: string | Buffer; headers?: Record<string, string>; status: number; uid?: boolean; message: RegExp }> = [
    { name: 'empty body', body: '', status: 400, message: /empty/ },
    { name: 'non-JSON', body: 'hello', status: 400, message: /not valid JSON/ },
    { name: 'wrong content type', body: '{}', headers: { 'content-type': 'text/plain' }, status: 415, message: /application\/json/ },
    { name: 'wrong version', body: JSON.stringify({ ...admissionReview({ metadata: { name: 'x' } }), apiVersion: 'admission.k8s.io/v1beta1' }), status: 400, uid: true, message: /admission\.k8s\.io\/v1/ },
    { name: 'missing request', body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), status: 400, message: /no request/ },
    { name: 'deep nesting', body: `{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`, status: 400, message: /deeper/ },
    { name: 'oversized body', body: Buffer.alloc(65 * 1024, 0x20), status: 413, message: /larger than the limit/ },
  ];
  for (const m of malformed) {
    it(`answers ${m.name} with ${m.status} and an AdmissionReview`, async () => {
      const res = await request(`${base}/validate`, { body: m.body, ca, ...(m.headers ? { headers: m.headers } : {}) });
      assert.equal(res.status, m.status);
      assert.equal(res.json.kind, 'AdmissionReview');
      assert.equal(res.json.response.allowed, false);
      assert.match(res.json.response.status.message, m.message);
      if (m.uid) assert.notEqual(res.json.response.uid, '');
    });
  }

  it('serves many concurrent reviews correctly', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca });
    const bodies = Array.from({ length: 200 }, (_, i) => admissionReview({ kind: 'ConfigMap', metadata: { name: i % 3 === 0 ? 'deny' : `ok-${i}` } }));
    const results = await Promise.all(bodies.map((b) => request(`${base}/validate`, { body: b, ca, agent })));
    agent.destroy();
    results.forEach((r, i) => {
      assert.equal(r.json.response.uid, bodies[i]!.request.uid);
      assert.equal(r.json.response.allowed, i % 3 !== 0);
    });
  });

  it('exposes health, readiness and Prometheus metrics', async () => {
    assert.equal((await request(`${base}/healthz`, { ca })).text, 'ok');
    const ready = await request(`${base}/readyz`, { ca });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json.checks, { certificate: true, policies: true });
    const m = (await request(`${base}/metrics`, { ca })).text;
    assert.match(m, /bulwark_admission_requests_total\{webhook="validate",kind="ConfigMap",operation="CREATE",decision="denied"\} \d+/);
    assert.match(m, /bulwark_admission_duration_seconds_bucket\{le="0.001",webhook="validate"\}/);
    assert.match(m, /bulwark_certificate_expiry_seconds \d{7,}/);
  });

  it('refuses TLS 1.1', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = https.request(`${base}/healthz`, { ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', agent: false }, resolve);
        req.on('error', reject);
        req.end();
      }),
    );
  });

  it('uses a renewed certificate for new connections without a restart', async () => {
    const reloader = new CertReloader(dir, silentLogger, { debounceMs: 50 });
    await reloader.load();
    reloader.on('reload', (t) => server.setTls(t));
    reloader.start();
    try {
      const before = await request(`${base}/healthz`, { ca });
      const reloaded = new Promise((r) => reloader.once('reload', r));
      const certs = generateCerts(['localhost', '127.0.0.1']);
      await writeCertDir(dir, certs);
      await reloaded;
      const after = await request(`${base}/healthz`, { ca: certs.ca.certPem });
      assert.notEqual(after.peerSerial, before.peerSerial);
      ca = certs.ca.certPem;
    } finally {
      await reloader.stop();
    }
  });

  it('keeps the current certificate when the renewal is broken', async () => {
    const reloader = new CertReloader(dir, silentLogger, { debounceMs: 50 });
    await reloader.load();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'tls.crt'), 'not a certificate');
    assert.equal(await reloader.reload(), false);
    assert.ok(reloader.material());
    await reloader.stop();
  });
});
