/**
 * The elector against an in-memory Lease with apiserver semantics: one round at a time on a fake
 * clock (acquire, renew, wait, take over on expiry, re-read on 409), then the real loop with short
 * timers (exactly one leader, callbacks, release on stop, takeover after a crash).
 */
import assert from 'node:assert/strict';
import { LeaderElector, defaultIdentity } from '../../../webhook/controllers/leader-election.js';
import { FakeClock, MemoryLease } from './fakes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until cond() holds or timeoutMs passes. */
async function until(cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('controllers/leader-election: one round at a time (fake clock)', () => {
  it('creates the lease, renews it, and keeps another identity waiting until it expires', async () => {
    const lease = new MemoryLease();
    const clock = new FakeClock();
    const a = new LeaderElector({ client: lease.client(), identity: 'a', now: clock.now });
    const b = new LeaderElector({ client: lease.client(), identity: 'b', now: clock.now });
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(lease.record!.state.holderIdentity, 'a');
    assert.equal(lease.record!.state.leaseDurationSeconds, 15);
    assert.equal(await b.tryAcquireOrRenew(), false, 'b must not take a fresh lease');
    clock.advance(5_000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(lease.record!.state.renewTimeMs, clock.ms);
    clock.advance(14_000);
    assert.equal(await b.tryAcquireOrRenew(), false, 'a renewed 14 s ago (as b observed it): still valid');
    clock.advance(15_000);
    assert.equal(await b.tryAcquireOrRenew(), true, 'no renewal seen for 15 s: b takes over');
    assert.equal(lease.record!.state.holderIdentity, 'b');
    assert.equal(lease.record!.state.leaseTransitions, 1);
    assert.equal(await a.tryAcquireOrRenew(), false, 'a sees b holding a fresh lease');
  });

  it('re-reads and decides again when another writer wins the race (409)', async () => {
    const lease = new MemoryLease();
    const clock = new FakeClock();
    const a = new LeaderElector({ client: lease.client(), identity: 'a', now: clock.now });
    lease.beforeWrite = () => lease.put({ holderIdentity: 'b', leaseDurationSeconds: 15, renewTimeMs: clock.ms });
    assert.equal(await a.tryAcquireOrRenew(), false, 'b created the lease first: a waits');
    assert.equal(lease.record!.state.holderIdentity, 'b');
  });

  it('acquires after a conflict when the re-read shows a released lease', async () => {
    const lease = new MemoryLease();
    const clock = new FakeClock();
    lease.put({ holderIdentity: undefined, leaseDurationSeconds: 15 });
    const a = new LeaderElector({ client: lease.client(), identity: 'a', now: clock.now });
    // a racing writer bumps the resourceVersion without taking the lease
    lease.beforeWrite = () => lease.put({ holderIdentity: undefined, leaseDurationSeconds: 15, leaseTransitions: 4 });
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(lease.record!.state.holderIdentity, 'a');
    assert.equal(lease.record!.state.leaseTransitions, 5);
  });

  it('propagates other write errors to the loop', async () => {
    const lease = new MemoryLease();
    lease.failNext = new Error('write Lease bulwark-system/bulwark-controllers: HTTP 403');
    const a = new LeaderElector({ client: lease.client(), identity: 'a' });
    await assert.rejects(a.tryAcquireOrRenew(), /HTTP 403/);
  });

  it('builds the identity from POD_NAME, else the hostname, plus the pid', () => {
    assert.equal(defaultIdentity({ POD_NAME: 'bulwark-webhook-7d9f-abcde' }, 42), 'bulwark-webhook-7d9f-abcde_42');
    assert.match(defaultIdentity({}, 42), /^.+_42$/);
  });
});

describe('controllers/leader-election: the loop (real timers, 1 s lease)', function () {
  this.timeout(10_000);
  const timing = { leaseDurationSeconds: 1, renewIntervalMs: 100, retryIntervalMs: 50 };

  it('elects exactly one of three, hands over at once on stop (release), and calls back', async () => {
    const lease = new MemoryLease();
    const calls: string[] = [];
    const electors = ['a', 'b', 'c'].map(
      (id) => new LeaderElector({ client: lease.client(), identity: id, ...timing, onStartedLeading: () => calls.push(`+${id}`), onStoppedLeading: () => calls.push(`-${id}`) }),
    );
    electors.forEach((e) => e.start());
    await until(() => electors.some((e) => e.isLeader()));
    await sleep(300);
    const leaders = electors.filter((e) => e.isLeader());
    assert.equal(leaders.length, 1, 'exactly one leader');
    const leader = leaders[0]!;
    const id = electors.indexOf(leader);
    const t0 = Date.now();
    await leader.stop();
    assert.equal(lease.record!.state.holderIdentity, undefined, 'released on stop');
    await until(() => electors.some((e) => e !== leader && e.isLeader()));
    const handover = Date.now() - t0;
    assert.ok(handover < 500, `a released lease is taken within a retry interval or so (took ${handover} ms)`);
    assert.equal(electors.filter((e) => e.isLeader()).length, 1);
    await Promise.all(electors.map((e) => e.stop()));
    assert.deepEqual(calls.slice(0, 2), [`+${'abc'[id]}`, `-${'abc'[id]}`]);
    assert.equal(calls.filter((c) => c.startsWith('+')).length, calls.filter((c) => c.startsWith('-')).length, 'every start has a stop');
  });

  it('takes over from a crashed leader (no release) once the lease has not changed for its duration', async () => {
    const lease = new MemoryLease();
    const a = new LeaderElector({ client: lease.client(), identity: 'a', ...timing });
    const b = new LeaderElector({ client: lease.client(), identity: 'b', ...timing });
    a.start();
    await until(() => a.isLeader());
    b.start();
    await sleep(300);
    assert.equal(b.isLeader(), false);
    // "crash": a's lease client starts failing every call, so it neither renews nor releases
    (a as unknown as { opts: { client: unknown } }).opts.client = { get: () => Promise.reject(new Error('connection refused')) };
    const t0 = Date.now();
    await until(() => b.isLeader(), 3_000);
    const took = Date.now() - t0;
    assert.ok(took >= 700 && took < 2_500, `b waits about one lease duration (took ${took} ms)`);
    await until(() => !a.isLeader(), 2_000); // a steps down after its renew deadline
    await a.stop();
    await b.stop();
  });

  it('stop() does not hang on an unreachable apiserver: it gives up on the release and still stops leading', async () => {
    const lease = new MemoryLease();
    const stopped: string[] = [];
    const a = new LeaderElector({ client: lease.client(), identity: 'a', ...timing, releaseTimeoutMs: 150, onStoppedLeading: () => stopped.push('a') });
    a.start();
    await until(() => a.isLeader());
    const never = () => new Promise<never>(() => undefined);
    (a as unknown as { opts: { client: unknown } }).opts.client = { get: never, create: never, update: never };
    await sleep(150); // a renewal round is now stuck
    const t0 = Date.now();
    await a.stop();
    const took = Date.now() - t0;
    assert.ok(took < 1_000, `stop() returned in ${took} ms`);
    assert.equal(a.isLeader(), false);
    assert.deepEqual(stopped, ['a']);
  });

  it('steps down when another replica holds the lease', async () => {
    const lease = new MemoryLease();
    const stopped: string[] = [];
    const a = new LeaderElector({ client: lease.client(), identity: 'a', ...timing, onStoppedLeading: () => stopped.push('a') });
    a.start();
    await until(() => a.isLeader());
    lease.put({ holderIdentity: 'intruder', leaseDurationSeconds: 30, renewTimeMs: Date.now() });
    await until(() => !a.isLeader(), 1_000);
    assert.deepEqual(stopped, ['a']);
    await a.stop();
    assert.equal(lease.record!.state.holderIdentity, 'intruder', 'a does not release a lease it does not hold');
  });
});
