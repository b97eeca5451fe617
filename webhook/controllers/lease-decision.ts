/**
 * The pure core of leader election: given what a Lease says, when this elector last saw it change,
 * the time and its own identity, decide whether to create, acquire, renew or wait, and build the
 * Lease spec to write. No I/O and no clock: the elector passes times in.
 *
 * Expiry follows client-go: a lease held by someone else expires `leaseDurationSeconds` after this
 * elector *observed* its last change (on its own clock), never by comparing the lease's renewTime with
 * the local clock, so clock skew between replicas cannot make two of them lead at once.
 */

/** The fields of a Lease that election reads, times in epoch milliseconds. */
export interface LeaseState {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number | undefined;
  acquireTimeMs?: number | undefined;
  renewTimeMs?: number | undefined;
  leaseTransitions?: number | undefined;
}

/** When this elector first saw the current version of the lease (holder and renewTime), on its own clock. */
export interface Observation {
  /** holderIdentity and renewTime of the lease as observed, joined. */
  key: string;
  /** Local time (ms) of the first observation of that key. */
  atMs: number;
}

/** What to do with the lease. */
export type LeaseAction =
  | { action: 'create' }
  | { action: 'acquire'; reason: 'released' | 'expired' }
  | { action: 'renew' }
  | { action: 'wait'; holder: string; expiresAtMs: number };

/** The default lease duration in seconds. */
export const DEFAULT_LEASE_DURATION_SECONDS = 15;

/** The key that identifies one version of the lease's record (a change of holder or a renewal). */
export function observationKey(lease: LeaseState): string {
  return `${lease.holderIdentity ?? ''}|${lease.renewTimeMs ?? ''}`;
}

/** Updates the observation: keeps the old time while the record is unchanged, else records nowMs. */
export function observe(prev: Observation | undefined, lease: LeaseState | undefined, nowMs: number): Observation | undefined {
  if (!lease) return undefined;
  const key = observationKey(lease);
  return prev && prev.key === key ? prev : { key, atMs: nowMs };
}

/**
 * Decides what an elector does: create an absent lease, acquire a released or expired one, renew its
 * own, or wait for another holder's lease to expire.
 */
export function decideLease(input: { lease: LeaseState | undefined; observed: Observation | undefined; nowMs: number; identity: string }): LeaseAction {
  const { lease, observed, nowMs, identity } = input;
  if (!lease) return { action: 'create' };
  const holder = lease.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew' };
  if (!holder) return { action: 'acquire', reason: 'released' };
  const durationMs = (lease.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS) * 1000;
  const since = observed && observed.key === observationKey(lease) ? observed.atMs : nowMs;
  const expiresAtMs = since + durationMs;
  if (nowMs >= expiresAtMs) return { action: 'acquire', reason: 'expired' };
  return { action: 'wait', holder, expiresAtMs };
}

/** Builds the lease fields to write for a create, acquire or renew by identity at nowMs. */
export function nextLeaseState(prev: LeaseState | undefined, action: LeaseAction, identity: string, nowMs: number, durationSeconds = DEFAULT_LEASE_DURATION_SECONDS): LeaseState {
  if (action.action === 'wait') throw new Error('nextLeaseState: nothing to write while waiting');
  if (action.action === 'renew' && prev) return { ...prev, holderIdentity: identity, leaseDurationSeconds: durationSeconds, renewTimeMs: nowMs };
  const transitions = prev?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTimeMs: nowMs,
    renewTimeMs: nowMs,
    // A new holder taking over from someone else is a transition; creating or re-taking one's own is not.
    leaseTransitions: action.action === 'create' ? 0 : prev?.holderIdentity === identity ? transitions : transitions + 1,
  };
}

/** The lease fields after the holder releases it: no holder, so any elector may acquire it at once. */
export function releasedLeaseState(prev: LeaseState): LeaseState {
  return { ...prev, holderIdentity: undefined };
}

/**
 * Whether a leader must step down: its last successful renewal is older than renewDeadlineMs (shorter
 * than the lease duration, so it stops before another replica may take over).
 */
export function renewDeadlinePassed(lastRenewMs: number, nowMs: number, renewDeadlineMs: number): boolean {
  return nowMs - lastRenewMs >= renewDeadlineMs;
}
