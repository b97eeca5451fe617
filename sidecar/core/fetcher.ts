/**
 * Fetches sources through their providers with every guard in front: store lookup, tenant
 * path scope, fetch budget, circuit breaker, `#key` selection, and metrics.
 */
import { SidecarError, errorCode } from '../errors.js';
import type { SidecarSpec, SourceRef } from '../spec/types.js';
import type { FetchedValue, Provider } from '../providers/types.js';
import { loadProviderFactory } from '../providers/registry.js';
import type { SidecarMetrics } from '../metrics.js';
import { enforcePathScope } from './path-scope.js';
import { FetchBudget } from './fetch-budget.js';
import { selectKey } from './select-key.js';
import { CircuitBreaker } from '../fallback/circuit-breaker.js';
import { MAX_ANSWER_BYTES } from '../providers/http-json.js';

/** The bytes a fetched value holds: its length, or the sum over a map's text and byte values (nested maps included). */
export function valueBytes(value: FetchedValue['value'] | unknown, depth = 0): number {
  if (Buffer.isBuffer(value)) return value.length;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value === null || typeof value !== 'object' || depth > 32) return 8;
  let n = 0;
  for (const [k, v] of Object.entries(value)) n += k.length + valueBytes(v, depth + 1);
  return n;
}

/** Builds the provider of one store (injectable so unit tests can use plain objects). */
export type ProviderSource = (storeName: string, spec: SidecarSpec) => Promise<Provider>;

/** The default provider source: lazily imports the provider module the store names. */
export const lazyProviders: ProviderSource = async (storeName, spec) => {
  const store = spec.stores[storeName]!;
  const factory = await loadProviderFactory(store.provider);
  return factory({ storeName, store, namespace: spec.pod.namespace });
};

/** How long one store read may take before it counts as UNAVAILABLE (env BULWARK_READ_TIMEOUT_SECONDS or --read-timeout override it). */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/** Settles with the read, or rejects with UNAVAILABLE when the signal fires first (a store that accepts and never answers). */
export function withDeadline<T>(read: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SidecarError('UNAVAILABLE', `no answer within ${timeoutMs / 1000}s`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    read.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted && errorCode(err) === 'UNAVAILABLE' ? new SidecarError('UNAVAILABLE', `no answer within ${timeoutMs / 1000}s`, {}, { cause: err }) : err);
      },
    );
  });
}

/**
 * The reads of one sync cycle, keyed by store, path and pinned version (never by `#key`): every
 * file of the cycle that names the same source renders from the one answer, so a version directory
 * never mixes two versions of a source that changed between two reads.
 */
export type Snapshot = Map<string, Promise<FetchedValue>>;

/** A fresh, empty snapshot for one sync cycle. */
export function newSnapshot(): Snapshot {
  return new Map();
}

function snapshotKey(ref: SourceRef): string {
  return `${ref.store}\u0000${ref.path}\u0000${ref.version ?? ''}`;
}

/** Fetches guarded source values for one spec. */
export class Fetcher {
  private readonly providers = new Map<string, Promise<Provider>>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly budget: FetchBudget;

  /** Creates a fetcher; breaker cool-downs start at 1 s and cap at maxCooldownMs; each store read is abandoned (UNAVAILABLE) after readTimeoutMs. */
  constructor(
    private readonly spec: SidecarSpec,
    private readonly metrics: SidecarMetrics,
    private readonly source: ProviderSource = lazyProviders,
    private readonly maxCooldownMs = 60_000,
    private readonly readTimeoutMs = DEFAULT_READ_TIMEOUT_MS,
  ) {
    this.budget = new FetchBudget(spec.fetchBudgetPerMinute);
  }

  /** The provider of a store, loaded once. */
  provider(storeName: string): Promise<Provider> {
    if (!this.spec.stores[storeName]) {
      return Promise.reject(new SidecarError('STORE_UNKNOWN', `store ${storeName} is not defined in the spec`, { store: storeName }));
    }
    let p = this.providers.get(storeName);
    if (!p) {
      p = this.source(storeName, this.spec);
      p.catch(() => this.providers.delete(storeName));
      this.providers.set(storeName, p);
    }
    return p;
  }

  private breaker(storeName: string): CircuitBreaker {
    let b = this.breakers.get(storeName);
    if (!b) {
      b = new CircuitBreaker(storeName, { threshold: 3, baseCooldownMs: 1000, maxCooldownMs: this.maxCooldownMs });
      this.breakers.set(storeName, b);
    }
    return b;
  }

  /** The scope-checked, normalised reference actually sent to the provider. */
  scoped(ref: SourceRef): SourceRef {
    const store = this.spec.stores[ref.store];
    if (!store) throw new SidecarError('STORE_UNKNOWN', `store ${ref.store} is not defined in the spec`, { store: ref.store });
    const path = enforcePathScope(ref.path, store.pathPrefixes, ref.store);
    return { ...ref, path: store.provider === 'file' && ref.path.startsWith('/') ? `/${path}` : path };
  }

  /** Reads one source, through `snapshot` when given (one store read per source per cycle); errors are SidecarErrors whose message names the store and path. */
  async fetch(ref: SourceRef, snapshot?: Snapshot): Promise<FetchedValue> {
    const providerName = this.spec.stores[ref.store]?.provider ?? 'unknown';
    try {
      let read = snapshot?.get(snapshotKey(ref));
      if (!read) {
        read = this.read(ref, providerName);
        snapshot?.set(snapshotKey(ref), read);
      }
      const got = await read;
      const value = ref.key !== undefined ? selectKey(got.value, ref.key, { store: ref.store, path: ref.path }) : got.value;
      return { value, version: got.version };
    } catch (err) {
      const code = errorCode(err);
      const msg = (err as Error).message;
      const where = `${ref.store}:${ref.path}${ref.key ? `#${ref.key}` : ''}`;
      throw new SidecarError(code, code === 'OUT_OF_SCOPE' || code === 'STORE_UNKNOWN' ? msg : `cannot read ${where} (store ${ref.store}, provider ${providerName}): ${msg}`, { store: ref.store, path: ref.path, provider: providerName }, { cause: err });
    }
  }

  /** One guarded store read of a whole source (no `#key` selection), counted in the metrics. */
  private async read(ref: SourceRef, providerName: string): Promise<FetchedValue> {
    const started = process.hrtime.bigint();
    try {
      const scoped = this.scoped(ref);
      const breaker = this.breaker(ref.store);
      breaker.check();
      this.budget.take(ref.store, ref.path);
      const provider = await this.provider(ref.store);
      let got: FetchedValue;
      try {
        const signal = AbortSignal.timeout(this.readTimeoutMs);
        got = await withDeadline(provider.read(scoped, signal), signal, this.readTimeoutMs);
        breaker.success();
      } catch (err) {
        if (errorCode(err) === 'UNAVAILABLE') breaker.failure();
        else breaker.success();
        throw err;
      }
      // The HTTP providers stop reading at the cap; SDK clients (AWS, Azure, Kubernetes) buffer first, so their answers are measured here.
      const bytes = valueBytes(got.value);
      if (bytes > MAX_ANSWER_BYTES) throw new SidecarError('TOO_LARGE', `the answer holds ${bytes} bytes, over the limit of ${MAX_ANSWER_BYTES} per store answer; it was refused and the last good content is kept`);
      this.metrics.fetches.inc({ provider: providerName, result: 'ok' });
      return got;
    } catch (err) {
      this.metrics.fetches.inc({ provider: providerName, result: errorCode(err) });
      throw err;
    } finally {
      this.metrics.fetchDuration.observe({ provider: providerName }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** Watches a source when its provider can push changes; returns false when it cannot. */
  async watch(ref: SourceRef, onChange: () => void, signal: AbortSignal): Promise<boolean> {
    const provider = await this.provider(ref.store);
    if (!provider.watch) return false;
    provider.watch(this.scoped(ref), onChange, signal);
    return true;
  }

  /** Closes every loaded provider. */
  async close(): Promise<void> {
    for (const p of this.providers.values()) await (await p.catch(() => undefined))?.close?.();
  }
}

