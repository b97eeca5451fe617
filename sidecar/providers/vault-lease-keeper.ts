/**
 * Keeps the leases of dynamic Vault / OpenBao secrets alive: serves a read from its lease, renews
 * it in the background, and when it can no longer be renewed (refused, max TTL, not renewable)
 * fetches new credentials ahead of expiry and tells the watchers, so the engine swaps files in time.
 */
import { errorCode } from '../errors.js';
import type { FetchedValue } from './types.js';
import { isLeaseServable, planFailure, planLease, type LeaseReason, type LeaseState, type LeaseStep } from './vault-lease.js';

/** The lease part of a read's answer. */
export interface LeaseGrant {
  leaseId: string;
  /** Seconds. */
  duration: number;
  renewable: boolean;
}

/** A read of the store: the value, and its lease when the secret is dynamic. */
export interface LeasedRead {
  value: FetchedValue;
  lease?: LeaseGrant;
}

/** Renews a lease for `increment` seconds; resolves with what the server granted. */
export type RenewLease = (leaseId: string, increment: number) => Promise<{ duration: number; renewable: boolean }>;

/** What happened to a lease (for logs and tests; never carries a value or a lease id). */
export interface LeaseEvent {
  key: string;
  event: 'renewed' | 'replaced' | 'renew-failed' | 'refetch-failed';
  reason?: LeaseReason;
  expiresAt?: number;
}

interface Entry {
  value: FetchedValue;
  leaseId: string;
  state: LeaseState;
  fetch: () => Promise<LeasedRead>;
  failures: number;
  timer?: NodeJS.Timeout;
}

/** Serves, renews and replaces the leases of one provider. */
export class LeaseKeeper {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<FetchedValue>>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private closed = false;

  /** Creates a keeper that renews through `renew`; `onEvent` sees renewals and replacements. */
  constructor(
    private readonly renew: RenewLease,
    private readonly onEvent: (e: LeaseEvent) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the value under `key`: from its lease while that is servable, otherwise from `fetch` (tracking any new lease). */
  read(key: string, fetch: () => Promise<LeasedRead>): Promise<FetchedValue> {
    const e = this.entries.get(key);
    if (e && isLeaseServable(this.now(), e.state)) return Promise.resolve(e.value);
    let p = this.inflight.get(key);
    if (!p) {
      const sent = this.now();
      p = fetch().then((got) => {
        this.track(key, got, fetch, sent);
        return got.value;
      });
      const done = (): void => void this.inflight.delete(key);
      p.then(done, done);
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Calls onChange when the credentials under `key` were replaced, until the signal aborts. */
  watch(key: string, onChange: () => void, signal: AbortSignal): void {
    if (signal.aborted) return;
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(onChange);
    signal.addEventListener('abort', () => set.delete(onChange), { once: true });
  }

  /** The lease state under `key` (a copy), if one is tracked. */
  lease(key: string): LeaseState | undefined {
    const e = this.entries.get(key);
    return e ? { ...e.state } : undefined;
  }

  /** Stops every timer; leases are left to expire on the server. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
    this.watchers.clear();
  }

  /** Tracks the lease of a read sent at `sent` (its end is counted from then, to stay on the safe side). */
  private track(key: string, got: LeasedRead, fetch: () => Promise<LeasedRead>, sent: number): void {
    const old = this.entries.get(key);
    if (old) clearTimeout(old.timer);
    this.entries.delete(key);
    if (this.closed || !got.lease || got.lease.duration <= 0) return;
    const state: LeaseState = { expiresAt: sent + got.lease.duration * 1000, increment: got.lease.duration, renewable: got.lease.renewable };
    const e: Entry = { value: got.value, leaseId: got.lease.leaseId, state, fetch, failures: 0 };
    this.entries.set(key, e);
    this.schedule(key, e, planLease(this.now(), state));
  }

  private schedule(key: string, e: Entry, step: LeaseStep): void {
    clearTimeout(e.timer);
    e.timer = setTimeout(() => void this.run(key, e, step), Math.max(0, step.at - this.now()));
    e.timer.unref();
  }

  private current(key: string, e: Entry): boolean {
    return !this.closed && this.entries.get(key) === e;
  }

  private async run(key: string, e: Entry, step: LeaseStep): Promise<void> {
    if (!this.current(key, e)) return;
    if (step.action === 'renew') {
      try {
        const sent = this.now();
        const r = await this.renew(e.leaseId, e.state.increment);
        if (!this.current(key, e)) return;
        e.state = { ...e.state, expiresAt: sent + r.duration * 1000, renewable: r.renewable };
        e.failures = 0;
        this.onEvent({ key, event: 'renewed', expiresAt: e.state.expiresAt });
        this.schedule(key, e, planLease(this.now(), e.state, r.duration));
      } catch (err) {
        if (!this.current(key, e)) return;
        const next = planFailure(this.now(), e.state, 'renew', errorCode(err), ++e.failures);
        this.onEvent({ key, event: 'renew-failed', reason: next.reason });
        this.schedule(key, e, next);
      }
      return;
    }
    try {
      const sent = this.now();
      const got = await e.fetch();
      if (!this.current(key, e)) return;
      this.track(key, got, e.fetch, sent);
      this.onEvent({ key, event: 'replaced', reason: step.reason, expiresAt: this.entries.get(key)?.state.expiresAt });
      if (got.value.version !== e.value.version) for (const w of this.watchers.get(key) ?? []) w();
    } catch (err) {
      if (!this.current(key, e)) return;
      const next = planFailure(this.now(), e.state, 'refetch', errorCode(err), ++e.failures);
      this.onEvent({ key, event: 'refetch-failed', reason: next.reason });
      this.schedule(key, e, next);
    }
  }
}
