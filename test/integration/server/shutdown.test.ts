import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowed } from '../../../webhook/admission/response.js';
import { generateCerts } from '../../../webhook/certs/generate.js';
import { loadTlsDir, writeCertDir } from '../../../webhook/certs/files.js';
import { silentLogger } from '../../../webhook/log.js';
import { createMetrics } from '../../../webhook/metrics.js';
import { AdmissionServer } from '../../../webhook/server/server.js';
import { admissionReview, request } from '../../helpers/https.js';

describe('graceful shutdown', function () {
  it('finishes in-flight requests, turns readiness false, closes idle keep-alive connections and stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-sd-'));
    const certs = generateCerts(['127.0.0.1']);
    await writeCertDir(dir, certs);
    const ca = certs.ca.certPem;
    const slow = { name: 'slow', handle: async () => (await new Promise((r) => setTimeout(r, 500)), allowed()) };
    const server = new AdmissionServer({
      address: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, maxJsonDepth: 100, keepAliveTimeoutMs: 60_000, shutdownTimeoutMs: 5000,
      tls: await loadTlsDir(dir), mutate: slow, validate: slow, logger: silentLogger, metrics: createMetrics({ processMetrics: false }), readiness: {},
    });
    const base = `https://127.0.0.1:${await server.listen()}`;
    const agent = new https.Agent({ keepAlive: true, ca });
    // An idle keep-alive connection.
    await request(`${base}/healthz`, { ca, agent });
    const inflight = request(`${base}/validate`, { body: admissionReview({ kind: 'ConfigMap', metadata: { name: 'x' } }), ca });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const stopping = server.shutdown();
    assert.equal(server.readiness().ready, false);
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal(res.json.response.allowed, true);
    await stopping;
    const took = Date.now() - started;
    assert.ok(took < 3000, `shutdown took ${took} ms; idle keep-alive connections must not hold it to the deadline`);
    await assert.rejects(request(`${base}/healthz`, { ca }), /ECONNREFUSED/);
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('destroys connections still busy at the deadline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-sd-'));
    const certs = generateCerts(['127.0.0.1']);
    await writeCertDir(dir, certs);
    const stuck = { name: 'stuck', handle: () => new Promise<never>(() => undefined) };
    const server = new AdmissionServer({
      address: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, maxJsonDepth: 100, keepAliveTimeoutMs: 60_000, shutdownTimeoutMs: 300,
      tls: await loadTlsDir(dir), mutate: stuck, validate: stuck, logger: silentLogger, metrics: createMetrics({ processMetrics: false }), readiness: {},
    });
    const base = `https://127.0.0.1:${await server.listen()}`;
    const inflight = request(`${base}/validate`, { body: admissionReview({ kind: 'ConfigMap', metadata: { name: 'x' } }), ca: certs.ca.certPem }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.shutdown();
    assert.ok(Date.now() - started < 2000);
    assert.ok((await inflight) instanceof Error);
    await rm(dir, { recursive: true, force: true });
  });
});
