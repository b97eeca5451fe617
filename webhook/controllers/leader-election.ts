/**
 * Lease-based leader election: among the webhook replicas, exactly one holds the
 * coordination.k8s.io Lease `bulwark-controllers` in Bulwark's namespace and runs the controllers.
 * The leader renews every 5 s; the others retry every 2 s and take over when the lease is released
 * or has not changed for its duration (15 s). The decisions are pure (lease-decision.ts); this
 * file only loops, writes the lease and calls back.
 */
import { hostname } from 'node:os';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { LeaseConflictError, type LeaseClient, type LeaseRecord } from './lease-client.js';
import { DEFAULT_LEASE_DURATION_SECONDS, decideLease, nextLeaseState, observe, releasedLeaseState, renewDeadlinePassed, type Observation } from './lease-decision.js';

/** The name of the Lease the controllers are elected with. */
export const CONTROLLERS_LEASE_NAME = 'bulwark-controllers';
/** How often the leader renews (ms). */
export const DEFAULT_RENEW_INTERVAL_MS = 5_000;
/** How often a follower (or a leader whose renewal failed) tries again (ms). */
export const DEFAULT_RETRY_INTERVAL_MS = 2_000;
/** How long stop() waits for the lease release before giving up (ms). */
export const RELEASE_TIMEOUT_MS = 3_000;

/** What a LeaderElector needs. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** This replica's identity: unique among replicas (see defaultIdentity). */
  identity: string;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  retryIntervalMs?: number;
  /** A leader that could not renew for this long steps down (default: two thirds of the lease duration). */
  renewDeadlineMs?: number;
  now?: () => number;
  logger?: Logger;
  /** How long stop() waits for the lease release (default RELEASE_TIMEOUT_MS). */
  releaseTimeoutMs?: number;
  /** Called when this replica becomes the leader. */
  onStartedLeading?: () => void;
  /** Called when this replica stops being the leader (lost, or stop()). */
  onStoppedLeading?: () => void;
}

/** The identity of this replica: the pod name (POD_NAME, else the hostname, which is the pod name in a pod) plus the pid. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string {
  return `${env.POD_NAME || hostname()}_${pid}`;
}

/** Runs leader election for one identity until stopped. */
export class LeaderElector {
  private leading = false;
  /** Whether the last round ended with this replica holding the lease (may differ from leading while stopping). */
  private holds = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private observed: Observation | undefined;
  private lastRenewMs = 0;
  private lastHolder: string | undefined;
  private readonly durationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.durationSeconds = opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? Math.floor((this.durationSeconds * 1000 * 2) / 3);
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger).child({ component: 'leader-election', identity: opts.identity });
  }

  /** Whether this replica currently leads. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Starts the election loop (the first attempt runs at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop; a leader releases the lease (clears holderIdentity) so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const timeoutMs = this.opts.releaseTimeoutMs ?? RELEASE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    // A round stuck on an unreachable apiserver must not hold up shutdown either.
    await Promise.race([this.inflight, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    if (!this.holds && !this.leading) return;
    try {
      const release = async () => {
        const rec = await this.opts.client.get();
        if (rec?.state.holderIdentity === this.opts.identity) await this.opts.client.update(rec, releasedLeaseState(rec.state));
      };
      // An unreachable apiserver must not hold up shutdown: the lease then simply expires.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([release(), deadline]);
      this.log.info('released the controllers lease');
    } catch (err) {
      this.log.warn('could not release the controllers lease; another replica takes over when it expires', { error: errorMessage(err) });
    } finally {
      clearTimeout(timer);
    }
    this.holds = false;
    this.setLeading(false, 'stopped');
  }

  /** One round: read the lease, decide, write. Returns whether this replica holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const rec = await this.opts.client.get();
      const nowMs = this.now();
      this.observed = observe(this.observed, rec?.state, nowMs);
      const action = decideLease({ lease: rec?.state, observed: this.observed, nowMs, identity: this.opts.identity });
      if (action.action === 'wait') {
        this.noteHolder(action.holder);
        return false;
      }
      const next = nextLeaseState(rec?.state, action, this.opts.identity, nowMs, this.durationSeconds);
      try {
        const written: LeaseRecord = action.action === 'create' || !rec ? await this.opts.client.create(next) : await this.opts.client.update(rec, next);
        this.observed = observe(this.observed, written.state, nowMs);
        if (action.action === 'acquire') this.log.debug('acquired the controllers lease', { reason: action.reason });
        return true;
      } catch (err) {
        // Someone wrote the lease between our read and our write: read it again and decide again.
        if (err instanceof LeaseConflictError) continue;
        throw err;
      }
    }
    return false;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inflight = this.tick().finally(() => (this.inflight = undefined));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let held = false;
    let failed = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch (err) {
      failed = true;
      this.log.warn('leader election round failed', { error: errorMessage(err) });
    }
    if (!failed) this.holds = held;
    // When stopping, stop() runs after this tick and releases the lease if we hold it.
    if (this.stopped) return;
    const nowMs = this.now();
    if (held) {
      this.lastRenewMs = nowMs;
      this.noteHolder(this.opts.identity);
      if (!this.leading) this.setLeading(true, 'acquired');
    } else if (this.leading && (!failed || renewDeadlinePassed(this.lastRenewMs, nowMs, this.renewDeadlineMs))) {
      this.setLeading(false, failed ? 'renew deadline passed' : 'lease taken by another replica');
    }
    this.schedule(held ? (this.opts.renewIntervalMs ?? DEFAULT_RENEW_INTERVAL_MS) : (this.opts.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS));
  }

  private noteHolder(holder: string): void {
    if (holder === this.lastHolder) return;
    this.lastHolder = holder;
    if (holder !== this.opts.identity) this.log.info('controllers are led by another replica', { leader: holder });
  }

  private setLeading(leading: boolean, reason: string): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.log.info(leading ? 'became the controllers leader' : 'stopped leading the controllers', { reason });
    try {
      if (leading) this.opts.onStartedLeading?.();
      else this.opts.onStoppedLeading?.();
    } catch (err) {
      this.log.error('leadership callback failed', { error: errorMessage(err) });
    }
  }
}
