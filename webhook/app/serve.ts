/**
 * `bulwark serve`: wires certificates, cluster state, the policy documents, the injection and
 * validation handlers and the HTTPS server together, and handles SIGTERM.
 */
import type { ServerOptions } from '../config/options.js';
import { CertReloader } from '../certs/reloader.js';
import { createInjectionHandler } from '../inject/handler.js';
import type { Logger } from '../log.js';
import { createMetrics, type WebhookMetrics } from '../metrics.js';
import { DocumentSource } from '../policy/loader.js';
import { createValidationHandler } from '../policy/handler.js';
import { AdmissionServer } from '../server/server.js';
import { compose } from '../admission/handler.js';
import { createTenancyHandler } from '../tenancy/handler.js';
import { labelAdmins } from '../config/label-admins.js';
import { startTenantGauges } from '../tenancy/usage-gauges.js';
import { startControllers, type RunningControllers } from '../controllers/controllers.js';
import { connectCluster } from './cluster.js';
import { ensureCertDir } from './tls.js';

/** A running webhook. */
export interface RunningWebhook {
  port: number;
  caFile: string | undefined;
  certDir: string;
  server: AdmissionServer;
  metrics: WebhookMetrics;
  /** Graceful stop: readiness false, in-flight requests finish, watchers close. */
  stop(): Promise<void>;
}

/** Starts the webhook with validated options. */
export async function serve(options: ServerOptions, logger: Logger): Promise<RunningWebhook> {
  const metrics = createMetrics();
  const certs = await ensureCertDir(options.certDir, options.stateDir, logger);
  const reloader = new CertReloader(certs.dir, logger);
  const tls = await reloader.load();
  const cluster = await connectCluster(options, logger);
  const docs = new DocumentSource({ dir: options.policiesDir, logger, metrics, ...(cluster.kubeConfig ? { kubeConfig: cluster.kubeConfig } : {}) });
  await docs.start();
  const current = () => docs.current();
  const server = new AdmissionServer({
    address: options.address,
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    maxJsonDepth: options.maxJsonDepth,
    maxJsonNodes: options.maxJsonNodes,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs,
    maxConnections: options.maxConnections,
    maxConnectionsPerClient: options.maxConnectionsPerClient,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    tls,
    logger,
    metrics,
    mutate: createInjectionHandler({ options, docs: current, state: cluster.state, metrics, logger }),
    validate: compose('validate', [
      createTenancyHandler({ docs: current, state: cluster.state, ownNamespace: options.ownNamespace, metrics, logger, clusterLabelAdmins: labelAdmins(options) }),
      createValidationHandler({ docs: current, state: cluster.state, ownNamespace: options.ownNamespace, metrics, logger, options }),
    ]),
    readiness: {
      policies: () => docs.loaded() || 'policy documents not loaded',
      caches: () => cluster.state.synced() || 'cluster caches not synced',
    },
  });
  const gauges = startTenantGauges({ metrics, docs: current, state: cluster.state });
  // Controllers (leader-elected drift scan) only run against a cluster.
  const controllers: RunningControllers | undefined = cluster.kubeConfig
    ? await startControllers({ kubeConfig: cluster.kubeConfig, ownNamespace: options.ownNamespace, driftScanIntervalMs: options.driftScanIntervalMs, docs: current, state: cluster.state, metrics, logger })
    : undefined;
  reloader.on('reload', (next) => server.setTls(next));
  reloader.start();
  const port = await server.listen();
  logger.info('bulwark webhook listening', {
    address: options.address,
    port,
    certDir: certs.dir,
    caBundle: certs.caFile,
    cluster: cluster.mode,
    policiesDir: options.policiesDir,
  });
  return {
    port,
    caFile: certs.caFile,
    certDir: certs.dir,
    server,
    metrics,
    async stop() {
      gauges.stop();
      // The leader releases its Lease while in-flight requests drain, so another replica takes over at once.
      await Promise.all([controllers?.stop(), server.shutdown()]);
      await reloader.stop();
      await docs.stop();
      cluster.stop();
    },
  };
}

/** Stops the webhook gracefully on SIGTERM/SIGINT and exits, within the shutdown deadline. */
export function exitOnSignals(running: RunningWebhook, logger: Logger, deadlineMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const hard = setTimeout(() => {
      logger.error('shutdown took too long; exiting', { deadlineMs });
      process.exit(1);
    }, deadlineMs + 5_000);
    hard.unref();
    running.stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
