/**
 * A store answer is read up to MAX_ANSWER_BYTES and refused beyond it, with or without a
 * Content-Length: the sidecar never buffers a huge answer (it once reached 2.5 GB RSS).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpCall, httpJson, MAX_ANSWER_BYTES } from '../../../sidecar/providers/http-json.js';

describe('sidecar: store answers are size-capped', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/small') return res.end(JSON.stringify({ data: { value: 'ok' } }));
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(MAX_ANSWER_BYTES + 1) });
        return res.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x61));
      }
      // streamed without a length, well past the cap; stops when the client goes away
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent >= 64) res.end();
        else res.once('drain', pump);
      };
      res.on('close', () => (sent = 64));
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('reads an answer under the cap', async () => {
    const r = await httpJson<{ data: { value: string } }>(`${base}/small`, 'read');
    assert.equal(r.data.data.value, 'ok');
  });

  for (const path of ['/declared', '/streamed']) {
    it(`refuses ${path.slice(1)} answers over ${MAX_ANSWER_BYTES} bytes with TOO_LARGE`, async () => {
      await assert.rejects(httpCall(`${base}${path}`), (e: any) => e.code === 'TOO_LARGE' && /answered more than \d+ bytes/.test(e.message));
    });
  }

  it('takes a smaller cap per call', async () => {
    await assert.rejects(httpCall(`${base}/small`, { maxBytes: 10 }), (e: any) => e.code === 'TOO_LARGE');
  });
});
