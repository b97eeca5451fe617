import assert from 'node:assert/strict';
import https from 'node:https';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isLoopback, startSidecarServer } from '../../../sidecar/server.js';

function get(url: string): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : undefined;
  return new Promise((resolve, reject) => {
    const cb = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = mod ? mod.get(url, { rejectUnauthorized: false }, cb) : fetch(url).then(async (r) => resolve({ status: r.status, body: await r.text() }), reject);
    if (req && 'on' in req) req.on('error', reject);
  });
}

describe('sidecar endpoints', () => {
  it('serves plain HTTP on loopback', async () => {
    const { server, port, scheme } = await startSidecarServer(new SidecarMetrics(), () => ({ files: {} }), 0, '127.0.0.1');
    try {
      assert.equal(scheme, 'http');
      const r = await get(`http://127.0.0.1:${port}/healthz`);
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).status, 'ok');
    } finally {
      server.close();
    }
  });

  it('serves HTTPS with a generated certificate on the pod IP, so a PodMonitor can scrape it', async () => {
    const { server, port, scheme } = await startSidecarServer(new SidecarMetrics(), () => ({ files: {} }), 0, '0.0.0.0');
    try {
      assert.equal(scheme, 'https');
      const r = await get(`https://127.0.0.1:${port}/metrics`);
      assert.equal(r.status, 200);
      assert.match(r.body, /bulwark_sidecar_fetch_total/);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'plain HTTP is not answered');
    } finally {
      server.close();
    }
  });

  const rows: Array<[string, boolean]> = [['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true], ['0.0.0.0', false], ['10.0.0.5', false], ['::', false]];
  for (const [host, want] of rows) it(`treats ${host} as ${want ? 'loopback' : 'not loopback'}`, () => assert.equal(isLoopback(host), want));
});
