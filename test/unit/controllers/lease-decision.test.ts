/**
 * The pure leader-election decisions: create, acquire (released or expired), renew or wait, expiry
 * measured from this elector's own observation of the lease, and the lease fields written.
 */
import assert from 'node:assert/strict';
import { decideLease, nextLeaseState, observe, releasedLeaseState, renewDeadlinePassed, type LeaseAction, type LeaseState, type Observation } from '../../../webhook/controllers/lease-decision.js';

const ME = 'pod-a_1';
const OTHER = 'pod-b_7';
const T0 = 1_700_000_000_000;

/** A lease held by holder, renewed at renewTimeMs, for 15 s. */
function lease(holder: string | undefined, renewTimeMs = T0, extra: Partial<LeaseState> = {}): LeaseState {
  return { holderIdentity: holder, leaseDurationSeconds: 15, acquireTimeMs: renewTimeMs, renewTimeMs, leaseTransitions: 2, ...extra };
}

/** The observation an elector makes when it first sees l at atMs. */
function seen(l: LeaseState, atMs: number): Observation {
  return observe(undefined, l, atMs)!;
}

describe('controllers/lease-decision', () => {
  const rows: Array<{ name: string; lease: LeaseState | undefined; observed?: Observation; now: number; want: LeaseAction }> = [
    { name: 'no lease: create it', lease: undefined, now: T0, want: { action: 'create' } },
    { name: 'own lease: renew', lease: lease(ME), observed: seen(lease(ME), T0), now: T0 + 5_000, want: { action: 'renew' } },
    { name: 'own lease even when long expired: renew (re-take)', lease: lease(ME), observed: seen(lease(ME), T0), now: T0 + 60_000, want: { action: 'renew' } },
    { name: 'released lease (no holder): acquire at once', lease: lease(undefined), now: T0, want: { action: 'acquire', reason: 'released' } },
    { name: 'released lease (empty holder): acquire at once', lease: lease(''), now: T0, want: { action: 'acquire', reason: 'released' } },
    { name: 'held by another, just seen: wait a full duration', lease: lease(OTHER), now: T0, want: { action: 'wait', holder: OTHER, expiresAtMs: T0 + 15_000 } },
    { name: 'held by another, seen 10 s ago unchanged: wait 5 s more', lease: lease(OTHER), observed: seen(lease(OTHER), T0), now: T0 + 10_000, want: { action: 'wait', holder: OTHER, expiresAtMs: T0 + 15_000 } },
    { name: 'held by another, unchanged for exactly the duration: acquire', lease: lease(OTHER), observed: seen(lease(OTHER), T0), now: T0 + 15_000, want: { action: 'acquire', reason: 'expired' } },
    { name: 'held by another, renewed since the observation: wait from now', lease: lease(OTHER, T0 + 5_000), observed: seen(lease(OTHER), T0), now: T0 + 16_000, want: { action: 'wait', holder: OTHER, expiresAtMs: T0 + 31_000 } },
    { name: 'renewTime far in the past by our clock but just seen (skew): wait', lease: lease(OTHER, T0 - 3_600_000), now: T0, want: { action: 'wait', holder: OTHER, expiresAtMs: T0 + 15_000 } },
    { name: 'short lease duration honoured', lease: lease(OTHER, T0, { leaseDurationSeconds: 1 }), observed: seen(lease(OTHER, T0, { leaseDurationSeconds: 1 }), T0), now: T0 + 1_000, want: { action: 'acquire', reason: 'expired' } },
    { name: 'missing duration: the 15 s default', lease: lease(OTHER, T0, { leaseDurationSeconds: undefined }), observed: seen(lease(OTHER), T0), now: T0 + 14_999, want: { action: 'wait', holder: OTHER, expiresAtMs: T0 + 15_000 } },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const observed = r.observed ? observe(r.observed, r.lease, r.now) : observe(undefined, r.lease, r.now);
      assert.deepEqual(decideLease({ lease: r.lease, observed, nowMs: r.now, identity: ME }), r.want);
    });
  }

  it('keeps the first observation time while the record is unchanged and restarts it on a renewal', () => {
    const first = observe(undefined, lease(OTHER), T0)!;
    assert.equal(observe(first, lease(OTHER), T0 + 9_000)!.atMs, T0);
    assert.equal(observe(first, lease(OTHER, T0 + 5_000), T0 + 9_000)!.atMs, T0 + 9_000);
    assert.equal(observe(first, lease(ME), T0 + 9_000)!.atMs, T0 + 9_000);
    assert.equal(observe(first, undefined, T0), undefined);
  });

  const writes: Array<{ name: string; prev: LeaseState | undefined; action: LeaseAction; want: LeaseState }> = [
    { name: 'create', prev: undefined, action: { action: 'create' }, want: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTimeMs: T0 + 1, renewTimeMs: T0 + 1, leaseTransitions: 0 } },
    { name: 'acquire an expired lease: a transition', prev: lease(OTHER), action: { action: 'acquire', reason: 'expired' }, want: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTimeMs: T0 + 1, renewTimeMs: T0 + 1, leaseTransitions: 3 } },
    { name: 'acquire a released lease: a transition', prev: lease(undefined), action: { action: 'acquire', reason: 'released' }, want: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTimeMs: T0 + 1, renewTimeMs: T0 + 1, leaseTransitions: 3 } },
    { name: 'renew: only renewTime moves', prev: lease(ME), action: { action: 'renew' }, want: { holderIdentity: ME, leaseDurationSeconds: 15, acquireTimeMs: T0, renewTimeMs: T0 + 1, leaseTransitions: 2 } },
  ];
  for (const w of writes) {
    it(`writes the lease fields for ${w.name}`, () => assert.deepEqual(nextLeaseState(w.prev, w.action, ME, T0 + 1, 15), w.want));
  }

  it('refuses to build a write while waiting', () => {
    assert.throws(() => nextLeaseState(lease(OTHER), { action: 'wait', holder: OTHER, expiresAtMs: T0 }, ME, T0));
  });

  it('releases by clearing the holder, keeping the rest', () => {
    const released = releasedLeaseState(lease(ME));
    assert.equal(released.holderIdentity, undefined);
    assert.equal(released.leaseTransitions, 2);
    assert.deepEqual(decideLease({ lease: released, observed: observe(undefined, released, T0), nowMs: T0, identity: OTHER }), { action: 'acquire', reason: 'released' });
  });

  const deadlines: Array<[number, number, boolean]> = [[T0, T0 + 9_999, false], [T0, T0 + 10_000, true], [T0, T0, false]];
  for (const [last, now, want] of deadlines) {
    it(`renew deadline 10 s: last renew ${last - T0} ms, now ${now - T0} ms → ${want ? 'step down' : 'keep leading'}`, () => assert.equal(renewDeadlinePassed(last, now, 10_000), want));
  }
});
