/**
 * The HTTPS admission server: /mutate and /validate (AdmissionReview v1), /healthz, /readyz and
 * /metrics, TLS 1.2+, hot certificate reload for new connections, and graceful shutdown.
 */
import type { TLSSocket } from 'node:tls';
import { refuseRenegotiation, SERVER_TLS_OPTIONS } from '../../contract/tls.js';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Handler } from '../admission/handler.js';
import { complete, errored, review } from '../admission/response.js';
import type { LoadedTls } from '../certs/files.js';
import type { Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import { admissionEndpoint } from './admission-endpoint.js';

/** A named readiness check; returns true when ready, or a reason string when not. */
export type ReadinessCheck = () => true | string;

/** What the server needs. */
export interface ServerDeps {
  address: string;
  port: number;
  maxBodyBytes: number;
  maxJsonDepth: number;
  /** Most JSON values in an admission body (default DEFAULT_MAX_NODES of admission/codec.ts). */
  maxJsonNodes?: number;
  keepAliveTimeoutMs: number;
  /** Most open connections in all, and from one client address (defaults DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT). */
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  shutdownTimeoutMs: number;
  tls: LoadedTls;
  mutate: Handler;
  validate: Handler;
  logger: Logger;
  metrics: WebhookMetrics;
  readiness: Record<string, ReadinessCheck>;
}

/** Most open connections the server holds (the --max-connections default). */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** Most open connections from one address (the --max-connections-per-client default). */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;
/** How long a connection may take to send its request headers: an idle or slow client is closed after it. */
export const HEADERS_TIMEOUT_MS = 15_000;

/** The running admission server. */
export class AdmissionServer {
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();
  private shuttingDown = false;
  private tls: LoadedTls;

  constructor(private readonly deps: ServerDeps) {
    this.tls = deps.tls;
    this.server = https.createServer(
      { cert: deps.tls.cert, key: deps.tls.key, ...SERVER_TLS_OPTIONS, requestTimeout: 30_000, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
      this.buildApp(),
    );
    this.server.keepAliveTimeout = deps.keepAliveTimeoutMs;
    this.capConnections(deps.maxConnections ?? DEFAULT_MAX_CONNECTIONS, deps.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
    this.server.on('secureConnection', (s: Socket) => {
      refuseRenegotiation(s as TLSSocket);
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', (err) => deps.logger.debug('tls client error', { error: err.message }));
    this.updateExpiryMetric();
  }

  /**
   * Closes a TCP connection on arrival, before any TLS work, when its client address already holds
   * `perClient` connections or the server holds `total`: one client cannot pin the server's sockets
   * and memory while the header timeout runs.
   */
  private capConnections(total: number, perClient: number): void {
    const byClient = new Map<string, number>();
    let open = 0;
    this.server.on('connection', (s: Socket) => {
      const client = s.remoteAddress ?? 'unknown';
      const held = byClient.get(client) ?? 0;
      const reason = open >= total ? 'total' : held >= perClient ? 'per-client' : undefined;
      if (reason) {
        this.deps.metrics.connectionsRejected.inc({ reason });
        this.deps.logger.debug('connection refused: cap reached', { reason, open, fromClient: held });
        s.destroy();
        return;
      }
      open += 1;
      byClient.set(client, held + 1);
      s.once('close', () => {
        open -= 1;
        const n = (byClient.get(client) ?? 1) - 1;
        if (n > 0) byClient.set(client, n);
        else byClient.delete(client);
      });
    });
  }

  private buildApp(): express.Express {
    const { deps } = this;
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use((_req, res, next) => {
      if (this.shuttingDown) res.setHeader('Connection', 'close');
      next();
    });
    app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
    app.get('/readyz', (_req, res) => {
      const { ready, checks } = this.readiness();
      res.status(ready ? 200 : 503).json({ ready, checks });
    });
    app.get('/metrics', async (_req, res) => {
      this.updateExpiryMetric();
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
    const raw = express.raw({ type: () => true, limit: deps.maxBodyBytes });
    const common = { logger: deps.logger, metrics: deps.metrics, maxJsonDepth: deps.maxJsonDepth, maxJsonNodes: deps.maxJsonNodes };
    app.post('/mutate', raw, admissionEndpoint({ webhook: 'mutate', handler: deps.mutate, ...common }));
    app.post('/validate', raw, admissionEndpoint({ webhook: 'validate', handler: deps.validate, ...common }));
    app.use((_req, res) => void res.status(404).json({ error: 'not found; admission endpoints are POST /mutate and POST /validate' }));
    app.use((err: any, _req: Request, res: Response, _next: NextFunction) => {
      const status = err?.type === 'entity.too.large' ? 413 : typeof err?.status === 'number' && err.status < 500 ? err.status : 400;
      const message =
        status === 413
          ? `request body is larger than the limit of ${deps.maxBodyBytes} bytes (--max-body-bytes)`
          : `request could not be read: ${err?.message ?? 'unknown error'}`;
      deps.logger.warn('malformed admission request', { status, code: status === 413 ? 'BODY_TOO_LARGE' : 'BODY_NOT_JSON', error: message });
      deps.metrics.admissionRequests.inc({ webhook: 'unknown', kind: 'unknown', operation: 'unknown', decision: 'malformed' });
      res.status(status).json(review(complete('', errored(status, message))));
    });
    return app;
  }

  /** Runs every readiness check; not ready while shutting down. */
  readiness(): { ready: boolean; checks: Record<string, true | string> } {
    const checks: Record<string, true | string> = {};
    let ready = !this.shuttingDown;
    if (this.shuttingDown) checks.shutdown = 'shutting down';
    const expiresIn = this.tls.notAfter.getTime() - Date.now();
    checks.certificate = expiresIn > 0 ? true : 'serving certificate has expired';
    for (const [name, check] of Object.entries(this.deps.readiness)) {
      let r: true | string;
      try {
        r = check();
      } catch (err) {
        r = (err as Error).message;
      }
      checks[name] = r;
    }
    for (const v of Object.values(checks)) if (v !== true) ready = false;
    return { ready, checks };
  }

  private updateExpiryMetric(): void {
    this.deps.metrics.certificateExpiry.set(Math.floor((this.tls.notAfter.getTime() - Date.now()) / 1000));
  }

  /** Uses new TLS material for new connections; open connections keep theirs. */
  setTls(tls: LoadedTls): void {
    this.server.setSecureContext({ cert: tls.cert, key: tls.key, ...SERVER_TLS_OPTIONS });
    this.tls = tls;
    this.updateExpiryMetric();
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.deps.port, this.deps.address, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Whether shutdown has begun. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Graceful shutdown: readiness turns false, no new connections, in-flight requests finish, idle
   * keep-alive connections close; after the deadline, remaining connections are destroyed.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Connections that finish their in-flight request become idle later; close them as they do.
    const sweeper = setInterval(() => this.server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.deps.shutdownTimeoutMs);
    });
    const result = await Promise.race([closed.then(() => 'closed' as const), deadline]);
    if (timer) clearTimeout(timer);
    clearInterval(sweeper);
    if (result === 'timeout') {
      this.deps.logger.warn('shutdown deadline reached; closing remaining connections', { open: this.sockets.size });
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
      await closed;
    }
  }
}
