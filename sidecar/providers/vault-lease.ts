/**
 * Lease planning for dynamic Vault / OpenBao secrets: when a lease is renewed, and when the
 * provider gives up on it and fetches new credentials (not renewable, capped by its max TTL,
 * renewal refused). Pure functions of the clock and the lease; the timers live in vault-lease-keeper.ts.
 */
import type { SidecarErrorCode } from '../errors.js';

/** The shortest delay before a lease step, so a tiny or spent TTL cannot make the provider spin. */
export const MIN_LEASE_DELAY_MS = 500;
/** The first retry delay after the store was unavailable; it doubles with each failure. */
export const LEASE_RETRY_BASE_MS = 1000;
/** The longest retry delay after the store was unavailable. */
export const LEASE_RETRY_MAX_MS = 30_000;
/** How long before its end a cached lease is no longer served by a read (at most; a third of the TTL for short leases). */
export const LEASE_SERVE_MARGIN_MS = 5000;

/** A lease as the provider tracks it. */
export interface LeaseState {
  /** When the lease ends, in ms since the epoch. */
  expiresAt: number;
  /** The TTL asked for on each renewal (the lease's first duration), in seconds. */
  increment: number;
  /** Whether the server says the lease can be renewed. */
  renewable: boolean;
}

/** Why a step was planned: regular renewal, or why the lease is being replaced or retried. */
export type LeaseReason = 'ttl' | 'not-renewable' | 'max-ttl' | 'refused' | 'retry';

/** The next thing to do with a lease, and when (ms since the epoch). */
export interface LeaseStep {
  action: 'renew' | 'refetch';
  at: number;
  reason: LeaseReason;
}

function twoThirdsOfRemaining(now: number, expiresAt: number): number {
  return now + Math.max(MIN_LEASE_DELAY_MS, Math.round(((expiresAt - now) * 2) / 3));
}

/**
 * Plans the step after a read or a successful renewal that granted `granted` seconds: renew at 2/3
 * of the remaining time. A lease that is not renewable is replaced at that moment instead; one whose
 * renewal granted less than asked (it reached its max TTL) is replaced now, so the app gets the
 * new credentials while the old ones still have all their remaining time.
 */
export function planLease(now: number, lease: LeaseState, granted: number = lease.increment): LeaseStep {
  const at = twoThirdsOfRemaining(now, lease.expiresAt);
  if (!lease.renewable) return { action: 'refetch', at, reason: 'not-renewable' };
  if (granted < lease.increment || granted <= 0) return { action: 'refetch', at: now, reason: 'max-ttl' };
  return { action: 'renew', at, reason: 'ttl' };
}

/**
 * Plans the step after a renewal or re-fetch failed with `code` (`attempt` counts consecutive
 * failures from 1). A refused renewal (revoked, unknown or expired lease, denied) means new credentials
 * now; an unavailable store is retried with doubling delays, renewing while the lease still has time.
 */
export function planFailure(now: number, lease: LeaseState, failed: 'renew' | 'refetch', code: SidecarErrorCode, attempt: number): LeaseStep {
  const backoff = Math.min(LEASE_RETRY_MAX_MS, LEASE_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  if (failed === 'renew' && code !== 'UNAVAILABLE') return { action: 'refetch', at: now, reason: 'refused' };
  if (failed === 'refetch') return { action: 'refetch', at: now + backoff, reason: 'retry' };
  const remaining = lease.expiresAt - now;
  if (remaining <= MIN_LEASE_DELAY_MS) return { action: 'refetch', at: now + backoff, reason: 'retry' };
  // Retry the renewal, but early enough to try again before the lease ends.
  return { action: 'renew', at: now + Math.max(MIN_LEASE_DELAY_MS, Math.min(backoff, Math.round(remaining / 2))), reason: 'retry' };
}

/** Reports whether a read may still be answered from a cached lease: it must end no sooner than the serve margin. */
export function isLeaseServable(now: number, lease: LeaseState): boolean {
  const margin = Math.min(LEASE_SERVE_MARGIN_MS, (lease.increment * 1000) / 3);
  return now < lease.expiresAt - margin;
}
