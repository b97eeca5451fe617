/**
 * A per-minute fetch budget (spec.fetchBudgetPerMinute): a sliding window of call times that
 * refuses calls beyond the budget, so a misbehaving pod cannot hammer a shared store.
 */
import { SidecarError } from '../errors.js';

/** A sliding-window counter of store calls over the last minute. */
export class FetchBudget {
  private readonly times: number[] = [];

  /** Creates a budget; undefined or 0 means unlimited. */
  constructor(
    private readonly perMinute: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one call from the budget or throws BUDGET_EXCEEDED. */
  take(store: string, path: string): void {
    if (!this.perMinute) return;
    const t = this.now();
    while (this.times.length && this.times[0]! <= t - 60_000) this.times.shift();
    if (this.times.length >= this.perMinute) {
      throw new SidecarError('BUDGET_EXCEEDED', `fetch budget of ${this.perMinute} calls per minute is spent; raise fetchBudgetPerMinute or the refresh interval`, { store, path });
    }
    this.times.push(t);
  }

  /** How many calls remain in the current window (Infinity when unlimited). */
  remaining(): number {
    if (!this.perMinute) return Infinity;
    const t = this.now();
    return this.perMinute - this.times.filter((x) => x > t - 60_000).length;
  }
}
