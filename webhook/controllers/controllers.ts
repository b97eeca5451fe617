/**
 * The webhook's controllers, run by the elected leader only: leader election on the Lease
 * `bulwark-controllers` in Bulwark's namespace, and while leading the policy drift scan every
 * --drift-scan-interval. Leadership is logged and exported as bulwark_controller_leader.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterState } from '../cluster/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import type { DocumentSet } from '../policy/documents.js';
import { DriftScanner, type DriftScanResult, type EventSink, type ObjectReader } from './drift-scan.js';
import { kubeEventSink, kubeObjectReader } from './kube-api.js';
import { kubeLeaseClient, type LeaseClient } from './lease-client.js';
import { CONTROLLERS_LEASE_NAME, LeaderElector, defaultIdentity, type LeaderElectorOptions } from './leader-election.js';
import { Periodic } from './periodic.js';

/** What startControllers needs; the API clients default to ones built from kubeConfig. */
export interface ControllersOptions {
  kubeConfig: KubeConfig;
  ownNamespace: string;
  /** Interval of the drift scan in ms; 0 disables it (and, with nothing to run, leader election). */
  driftScanIntervalMs: number;
  docs: () => DocumentSet;
  state: ClusterState;
  metrics?: WebhookMetrics;
  logger?: Logger;
  /** This replica's identity (default: pod name or hostname, plus pid). */
  identity?: string;
  /** Election timing overrides (tests). */
  election?: Pick<LeaderElectorOptions, 'leaseDurationSeconds' | 'renewIntervalMs' | 'retryIntervalMs' | 'renewDeadlineMs'>;
  leaseClient?: LeaseClient;
  reader?: ObjectReader;
  events?: EventSink;
}

/** Running controllers. */
export interface RunningControllers {
  identity: string;
  /** Whether this replica leads (and runs the drift scan). */
  isLeader(): boolean;
  /** Runs a drift scan now if this replica leads; undefined otherwise. */
  scanNow(): Promise<DriftScanResult | undefined>;
  /** Stops the scan, releases the lease if held and resets the leader gauge. */
  stop(): Promise<void>;
}

/** Starts leader election and, while leading, the drift scan. */
export async function startControllers(opts: ControllersOptions): Promise<RunningControllers> {
  const identity = opts.identity ?? defaultIdentity();
  const logger = (opts.logger ?? silentLogger).child({ component: 'controllers' });
  const metrics = opts.metrics;
  metrics?.controllerLeader.set(0);
  if (opts.driftScanIntervalMs <= 0) {
    logger.info('controllers disabled: --drift-scan-interval is 0');
    return { identity, isLeader: () => false, scanNow: async () => undefined, stop: async () => undefined };
  }
  const scanner = new DriftScanner({
    state: opts.state,
    docs: opts.docs,
    ownNamespace: opts.ownNamespace,
    reader: opts.reader ?? (await kubeObjectReader(opts.kubeConfig)),
    events: opts.events ?? (await kubeEventSink(opts.kubeConfig)),
    instance: identity,
    ...(metrics ? { metrics } : {}),
    logger: opts.logger ?? silentLogger,
  });
  let loop: Periodic | undefined;
  let stopping: Promise<void> = Promise.resolve();
  const elector = new LeaderElector({
    client: opts.leaseClient ?? (await kubeLeaseClient(opts.kubeConfig, opts.ownNamespace, CONTROLLERS_LEASE_NAME)),
    identity,
    ...opts.election,
    logger: opts.logger ?? silentLogger,
    onStartedLeading: () => {
      metrics?.controllerLeader.set(1);
      logger.info('starting the drift scan', { intervalMs: opts.driftScanIntervalMs });
      const term = new Periodic(opts.driftScanIntervalMs, () => scanner.scan());
      loop = term;
      // A previous term may still be finishing its last scan: start after it has stopped.
      void stopping.then(() => {
        if (loop === term) term.start();
      });
    },
    onStoppedLeading: () => {
      metrics?.controllerLeader.set(0);
      const term = loop;
      loop = undefined;
      // Forget findings and clear the gauge once the last scan of this term has finished: only the leader reports drift.
      stopping = (term ? term.stop() : Promise.resolve()).then(() => scanner.reset());
    },
  });
  elector.start();
  logger.info('leader election started', { lease: `${opts.ownNamespace}/${CONTROLLERS_LEASE_NAME}`, identity });
  return {
    identity,
    isLeader: () => elector.isLeader(),
    scanNow: async () => (elector.isLeader() ? scanner.scan() : undefined),
    async stop() {
      await elector.stop();
      await stopping;
      metrics?.controllerLeader.set(0);
    },
  };
}
