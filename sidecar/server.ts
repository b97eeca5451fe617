/**
 * The sidecar's endpoints: /healthz (liveness plus per-file staleness) and /metrics (Prometheus
 * text). On loopback plain node:http keeps memory low; on any other address (the pod IP, so a
 * PodMonitor can scrape) the same handler is served over HTTPS with a certificate made at start.
 */
import { refuseRenegotiation, SERVER_TLS_OPTIONS } from '../contract/tls.js';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SidecarMetrics } from './metrics.js';

/** The default port (env BULWARK_SIDECAR_PORT overrides it). */
export const DEFAULT_SIDECAR_PORT = 9090;

/** The environment variable that chooses the listen address (default 127.0.0.1). */
export const METRICS_ADDRESS_ENV = 'BULWARK_SIDECAR_METRICS_ADDRESS';

/** Reports whether an address is loopback (served in plain HTTP, reachable only inside the pod). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Makes a throwaway self-signed serving certificate (node-forge is loaded only here). */
async function selfSignedTls(): Promise<{ cert: string; key: string }> {
  const { generateCerts } = await import('../webhook/certs/generate.js');
  const certs = generateCerts(['localhost'], { days: 3650 });
  return { cert: `${certs.serving.certPem}${certs.ca.certPem}`, key: certs.serving.keyPem };
}

/** Starts the server; `status` supplies the /healthz body. Resolves with the bound port. */
export async function startSidecarServer(metrics: SidecarMetrics, status: () => Record<string, unknown>, port = DEFAULT_SIDECAR_PORT, host = '127.0.0.1'): Promise<{ server: Server; port: number; scheme: 'http' | 'https' }> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
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
  };
  const tls = isLoopback(host) ? undefined : await selfSignedTls();
  const server: Server = tls ? (createHttpsServer({ ...tls, ...SERVER_TLS_OPTIONS }, handler).on('secureConnection', refuseRenegotiation) as unknown as Server) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, scheme: tls ? 'https' : 'http' };
}
