/**
 * The sidecar's Prometheus metrics, in their own Registry. Labels are store providers, file
 * names, strategies and results from small fixed sets; content versions are keyed hashes (HMAC, per-process key), never content or a plain hash of it.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The sidecar's metrics. */
export class SidecarMetrics {
  readonly registry = new Registry();
  readonly fetches: Counter<'provider' | 'result'>;
  readonly fetchDuration: Histogram<'provider'>;
  readonly reloads: Counter<'strategy' | 'result'>;
  readonly rollbacks: Counter;
  readonly lastSuccess: Gauge<'file'>;
  readonly contentInfo: Gauge<'file' | 'version'>;
  readonly staleness: Gauge<'file'>;
  private readonly successAt = new Map<string, number>();
  private readonly versions = new Map<string, string>();

  /** Creates and registers every metric; `now` is injectable for tests. */
  constructor(private readonly now: () => number = Date.now) {
    const registers = [this.registry];
    this.fetches = new Counter({ name: 'bulwark_sidecar_fetch_total', help: 'Store reads by provider and result (ok or an error code).', labelNames: ['provider', 'result'], registers });
    this.fetchDuration = new Histogram({
      name: 'bulwark_sidecar_fetch_duration_seconds',
      help: 'Duration of store reads.',
      labelNames: ['provider'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.reloads = new Counter({ name: 'bulwark_sidecar_reloads_total', help: 'Reload attempts by strategy and result.', labelNames: ['strategy', 'result'], registers });
    this.rollbacks = new Counter({ name: 'bulwark_sidecar_rollbacks_total', help: 'Rollbacks to the previous files after an unhealthy reload.', registers });
    this.lastSuccess = new Gauge({ name: 'bulwark_sidecar_last_success_timestamp_seconds', help: 'Unix time of the last successful fetch of every source of a file.', labelNames: ['file'], registers });
    this.contentInfo = new Gauge({ name: 'bulwark_sidecar_content_info', help: 'A keyed hash (HMAC under a per-process key) of each file currently written (value is always 1).', labelNames: ['file', 'version'], registers });
    const successAt = this.successAt;
    const clock = this.now;
    this.staleness = new Gauge({
      name: 'bulwark_sidecar_staleness_seconds',
      help: 'Seconds since the last successful fetch of each file.',
      labelNames: ['file'],
      registers,
      collect() {
        for (const [file, at] of successAt) this.set({ file }, Math.max(0, (clock() - at) / 1000));
      },
    });
  }

  /** Records a successful fetch of a whole file. */
  fileFetched(file: string, at = this.now()): void {
    this.successAt.set(file, at);
    this.lastSuccess.set({ file }, at / 1000);
  }

  /** Records the content hash now on disk for a file. */
  fileWritten(file: string, version: string): void {
    const old = this.versions.get(file);
    if (old === version) return;
    if (old !== undefined) this.contentInfo.remove({ file, version: old });
    this.contentInfo.set({ file, version }, 1);
    this.versions.set(file, version);
  }

  /** Seconds since the last successful fetch of a file (Infinity when never). */
  stalenessOf(file: string): number {
    const at = this.successAt.get(file);
    return at === undefined ? Infinity : (this.now() - at) / 1000;
  }
}
