/**
 * The long-running mode: push watches where providers offer them, polling at the refresh interval
 * with jitter (exponential backoff while stores fail), and a debouncer so a burst of changes is one cycle.
 */
import type { Logger } from '../webhook/log.js';
import type { Engine } from './engine.js';
import type { SidecarSpec } from './spec/types.js';
import { Debouncer } from './core/debouncer.js';
import type { SidecarErrorCode } from './errors.js';
import { backoffDelay, jitteredInterval, sleep } from './fallback/backoff.js';

/** Failures that waiting helps with: only these back the poll off; a permanent error (NOT_FOUND, DENIED, SCHEMA_INVALID...) is retried at the normal interval, where a fix in the store is seen soonest. */
export const TRANSIENT: ReadonlySet<SidecarErrorCode> = new Set<SidecarErrorCode>(['UNAVAILABLE', 'CIRCUIT_OPEN', 'BUDGET_EXCEEDED']);

/** Runs the watch and poll loops until the signal aborts. */
export class Runner {
  private readonly debouncer: Debouncer;
  private failures = 0;
  private lastCycle: Promise<unknown> = Promise.resolve();

  /** Creates a runner over an engine. */
  constructor(
    private readonly spec: SidecarSpec,
    private readonly engine: Engine,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {
    this.debouncer = new Debouncer(spec.debounceMs, (reasons) => void this.cycle(`watch:${reasons.join(',')}`));
    signal.addEventListener('abort', () => this.debouncer.cancel(), { once: true });
  }

  /** Starts watches, then polls until aborted. */
  async run(): Promise<void> {
    for (const file of this.spec.files) {
      for (const ref of file.sources) {
        try {
          const pushed = await this.engine.fetcher.watch(ref, () => this.debouncer.trigger(file.name), this.signal);
          this.logger.debug(pushed ? 'watching source' : 'polling source', { file: file.name, store: ref.store, path: ref.path });
        } catch (err) {
          this.logger.warn('cannot watch source, polling it', { file: file.name, store: ref.store, path: ref.path, error: (err as Error).message });
        }
      }
    }
    while (!this.signal.aborted) {
      await this.cycle('poll');
      await sleep(this.nextDelay(), this.signal);
    }
    this.debouncer.cancel();
    await this.lastCycle;
  }

  /** The delay before the next poll: the jittered refresh interval, or a backoff while stores are failing transiently. */
  nextDelay(): number {
    const refreshMs = this.spec.refreshSeconds * 1000;
    return this.failures ? backoffDelay(this.failures, Math.min(1000, refreshMs), refreshMs * 4) : jitteredInterval(refreshMs);
  }

  /** Runs one engine cycle and tracks consecutive transient failures for the backoff (NOT_FOUND, SCHEMA_INVALID and the like are polled at the normal interval). */
  async cycle(reason: string): Promise<void> {
    const p = this.engine.sync(reason).then(
      (r) => {
        this.failures = r.failures.some((f) => TRANSIENT.has(f.code)) ? this.failures + 1 : 0;
      },
      (err: unknown) => {
        this.failures += 1;
        this.logger.error('sync cycle failed', { error: (err as Error).message, reason });
      },
    );
    this.lastCycle = p;
    await p;
  }
}
