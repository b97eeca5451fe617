/**
 * The HTTPS server's connection limits on a real socket: one client address holds at most
 * maxConnectionsPerClient connections (the next is closed on arrival and counted), a freed slot is
 * usable again, and an idle TLS connection that never sends a request is closed by the header timeout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { allowed } from '../../../webhook/admission/response.js';
import { generateCerts } from '../../../webhook/certs/generate.js';
import { loadTlsDir, writeCertDir } from '../../../webhook/certs/files.js';
import { silentLogger } from '../../../webhook/log.js';
import { createMetrics, type WebhookMetrics } from '../../../webhook/metrics.js';
import { AdmissionServer, HEADERS_TIMEOUT_MS } from '../../../webhook/server/server.js';

/** Opens a TLS connection; resolves 'open' after the handshake, or 'closed' when the server drops it first. */
function connect(port: number, ca: string): Promise<{ outcome: 'open' | 'closed'; socket: tls.TLSSocket }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca });
    socket.once('secureConnect', () => resolve({ outcome: 'open', socket }));
    socket.once('error', () => resolve({ outcome: 'closed', socket }));
    socket.once('close', () => resolve({ outcome: 'closed', socket }));
  });
}

describe('HTTPS server connection limits', function () {
  this.timeout(HEADERS_TIMEOUT_MS + 30_000);
  let dir: string;
  let server: AdmissionServer;
  let port: number;
  let ca: string;
  let metrics: WebhookMetrics;
  const sockets: tls.TLSSocket[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-conn-'));
    const certs = generateCerts(['127.0.0.1']);
    await writeCertDir(dir, certs);
    ca = certs.ca.certPem;
    metrics = createMetrics({ processMetrics: false });
    const ok = { name: 'ok', handle: async () => allowed() };
    server = new AdmissionServer({
      address: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, maxJsonDepth: 100, keepAliveTimeoutMs: 60_000, shutdownTimeoutMs: 1000,
      maxConnections: 100, maxConnectionsPerClient: 3,
      tls: await loadTlsDir(dir), mutate: ok, validate: ok, logger: silentLogger, metrics, readiness: {},
    });
    port = await server.listen();
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('closes a client connection beyond the per-client cap on arrival and counts it; a freed slot is usable again', async () => {
    const held = await Promise.all([1, 2, 3].map(() => connect(port, ca)));
    sockets.push(...held.map((h) => h.socket));
    assert.deepEqual(held.map((h) => h.outcome), ['open', 'open', 'open']);
    const fourth = await connect(port, ca);
    sockets.push(fourth.socket);
    assert.equal(fourth.outcome, 'closed');
    const rejected = (await metrics.connectionsRejected.get()).values.find((v) => v.labels.reason === 'per-client');
    assert.equal(rejected?.value, 1);
    const freed = new Promise((r) => held[0]!.socket.once('close', r));
    held[0]!.socket.destroy();
    await freed;
    // The server sees the close asynchronously: retry until the slot is free again (no sleeping on a guess).
    let again = await connect(port, ca);
    for (let i = 0; again.outcome === 'closed' && i < 50; i++) again = await connect(port, ca);
    sockets.push(again.socket);
    assert.equal(again.outcome, 'open');
  });

  it('closes an idle TLS connection that sends no request within the header timeout', async () => {
    for (const s of sockets.splice(0)) s.destroy();
    let idle = await connect(port, ca);
    for (let i = 0; idle.outcome === 'closed' && i < 50; i++) idle = await connect(port, ca);
    assert.equal(idle.outcome, 'open');
    sockets.push(idle.socket);
    const closedByServer = await new Promise<boolean>((resolve) => {
      idle.socket.once('close', () => resolve(true));
      idle.socket.resume();
    });
    assert.equal(closedByServer, true);
  });
});
