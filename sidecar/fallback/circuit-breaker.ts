/**
 * A per-store circuit breaker: after `threshold` consecutive failures the store is not called
 * for a cool-down that doubles with every consecutive opening (capped), then one trial call is let through.
 */
import { SidecarError } from '../errors.js';

/** The breaker states. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker settings. */
export interface BreakerOptions {
  threshold: number;
  baseCooldownMs: number;
  maxCooldownMs: number;
  now?: () => number;
}

/** A circuit breaker around one store. */
export class CircuitBreaker {
  private failures = 0;
  private opens = 0;
  private openUntil = 0;
  private readonly now: () => number;

  /** Creates a closed breaker. */
  constructor(
    private readonly name: string,
    private readonly opts: BreakerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The current state. */
  state(): BreakerState {
    if (this.openUntil === 0) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Throws CIRCUIT_OPEN while open; lets a call through when closed or half-open. */
  check(): void {
    if (this.state() === 'open') {
      throw new SidecarError('CIRCUIT_OPEN', `store ${this.name} failed ${this.failures} times in a row; next attempt in ${Math.ceil((this.openUntil - this.now()) / 1000)}s`, { store: this.name });
    }
  }

  /** Records a successful call: the breaker closes. */
  success(): void {
    this.failures = 0;
    this.opens = 0;
    this.openUntil = 0;
  }

  /** Records a failed call: opens (again) past the threshold or after a failed trial. */
  failure(): void {
    this.failures += 1;
    if (this.failures >= this.opts.threshold || this.state() === 'half-open') {
      this.opens += 1;
      const cooldown = Math.min(this.opts.maxCooldownMs, this.opts.baseCooldownMs * 2 ** (this.opens - 1));
      this.openUntil = this.now() + cooldown;
    }
  }
}
