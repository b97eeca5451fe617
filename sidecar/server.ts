/**
 * The sidecar's local HTTP endpoints on 127.0.0.1: /healthz (liveness plus per-file staleness)
 * and /metrics (Prometheus text). Plain node:http to keep memory low.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SidecarMetrics } from './metrics.js';

/** The default port (env BULWARK_SIDECAR_PORT overrides it). */
export const DEFAULT_SIDECAR_PORT = 9090;

/** Starts the server; `status` supplies the /healthz body. Resolves with the bound port. */
export async function startSidecarServer(metrics: SidecarMetrics, status: () => Record<string, unknown>, port = DEFAULT_SIDECAR_PORT, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', ...status() }));
    } else if (req.method === 'GET' && path === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
