import assert from 'node:assert/strict';
import { isLeaseServable, planFailure, planLease, type LeaseState, type LeaseStep } from '../../../sidecar/providers/vault-lease.js';
import { LeaseKeeper, type LeasedRead, type LeaseEvent } from '../../../sidecar/providers/vault-lease-keeper.js';
import { SidecarError, type SidecarErrorCode } from '../../../sidecar/errors.js';

const NOW = 1_000_000;
const lease = (over: Partial<LeaseState> = {}): LeaseState => ({ expiresAt: NOW + 30_000, increment: 30, renewable: true, ...over });

describe('vault lease planning', () => {
  const plans: Array<{ name: string; input: { lease: LeaseState; granted?: number }; want: LeaseStep }> = [
    { name: 'fresh renewable lease: renew at 2/3 of its TTL', input: { lease: lease() }, want: { action: 'renew', at: NOW + 20_000, reason: 'ttl' } },
    { name: 'renewal granted the full increment: renew again', input: { lease: lease(), granted: 30 }, want: { action: 'renew', at: NOW + 20_000, reason: 'ttl' } },
    { name: 'renewal capped by max TTL: new credentials now, while the old ones still last', input: { lease: lease({ expiresAt: NOW + 9000 }), granted: 9 }, want: { action: 'refetch', at: NOW, reason: 'max-ttl' } },
    { name: 'renewal granted nothing: new credentials now', input: { lease: lease({ expiresAt: NOW }), granted: 0 }, want: { action: 'refetch', at: NOW, reason: 'max-ttl' } },
    { name: 'not renewable: new credentials at 2/3', input: { lease: lease({ renewable: false }) }, want: { action: 'refetch', at: NOW + 20_000, reason: 'not-renewable' } },
    { name: 'tiny TTL never plans sooner than the minimum delay', input: { lease: lease({ expiresAt: NOW + 300, increment: 1 }) }, want: { action: 'renew', at: NOW + 500, reason: 'ttl' } },
  ];
  for (const r of plans) it(r.name, () => assert.deepEqual(planLease(NOW, r.input.lease, r.input.granted), r.want));

  const failures: Array<{ name: string; input: { lease: LeaseState; failed: 'renew' | 'refetch'; code: SidecarErrorCode; attempt: number }; want: LeaseStep }> = [
    { name: 'renewal refused (lease revoked or unknown: HTTP 400): new credentials now', input: { lease: lease(), failed: 'renew', code: 'BAD_RESPONSE', attempt: 1 }, want: { action: 'refetch', at: NOW, reason: 'refused' } },
    { name: 'renewal denied: new credentials now', input: { lease: lease(), failed: 'renew', code: 'DENIED', attempt: 1 }, want: { action: 'refetch', at: NOW, reason: 'refused' } },
    { name: 'store unavailable, lease has time: retry the renewal after 1 s', input: { lease: lease(), failed: 'renew', code: 'UNAVAILABLE', attempt: 1 }, want: { action: 'renew', at: NOW + 1000, reason: 'retry' } },
    { name: 'store unavailable again: the retry delay doubles', input: { lease: lease(), failed: 'renew', code: 'UNAVAILABLE', attempt: 3 }, want: { action: 'renew', at: NOW + 4000, reason: 'retry' } },
    { name: 'store unavailable near the end: retry within half the remaining time', input: { lease: lease({ expiresAt: NOW + 3000 }), failed: 'renew', code: 'UNAVAILABLE', attempt: 4 }, want: { action: 'renew', at: NOW + 1500, reason: 'retry' } },
    { name: 'store unavailable and the lease is spent: fetch new credentials with backoff', input: { lease: lease({ expiresAt: NOW - 10 }), failed: 'renew', code: 'UNAVAILABLE', attempt: 2 }, want: { action: 'refetch', at: NOW + 2000, reason: 'retry' } },
    { name: 'a failed re-fetch is retried with backoff, capped at 30 s', input: { lease: lease(), failed: 'refetch', code: 'UNAVAILABLE', attempt: 10 }, want: { action: 'refetch', at: NOW + 30_000, reason: 'retry' } },
  ];
  for (const r of failures) it(r.name, () => assert.deepEqual(planFailure(NOW, r.input.lease, r.input.failed, r.input.code, r.input.attempt), r.want));

  const servable: Array<{ name: string; input: { lease: LeaseState; now: number }; want: boolean }> = [
    { name: 'long lease, well before its end', input: { lease: lease(), now: NOW }, want: true },
    { name: 'long lease, inside the 5 s margin', input: { lease: lease(), now: NOW + 25_001 }, want: false },
    { name: 'short lease (3 s): margin is a third of the TTL', input: { lease: lease({ expiresAt: NOW + 3000, increment: 3 }), now: NOW + 1900 }, want: true },
    { name: 'short lease (3 s) in its last third', input: { lease: lease({ expiresAt: NOW + 3000, increment: 3 }), now: NOW + 2100 }, want: false },
    { name: 'expired', input: { lease: lease({ expiresAt: NOW - 1 }), now: NOW }, want: false },
  ];
  for (const r of servable) it(`servable: ${r.name}`, () => assert.equal(isLeaseServable(r.input.now, r.input.lease), r.want));
});

describe('vault lease keeper (real timers, 1-2 s leases)', function () {
  this.timeout(10_000);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let keeper: LeaseKeeper | undefined;
  afterEach(() => keeper?.close());

  /** A fake dynamic engine: every fetch issues lease n with `duration` seconds. */
  function engine(duration: number, renewable = true) {
    let n = 0;
    const fetch = async (): Promise<LeasedRead> => {
      n++;
      return { value: { value: { user: `u${n}` }, version: `lease-${n}` }, lease: { leaseId: `lease-${n}`, duration, renewable } };
    };
    return { fetch, fetches: () => n };
  }

  it('serves a read from its lease and renews it before it ends', async () => {
    const renewals: Array<[string, number]> = [];
    const events: LeaseEvent[] = [];
    keeper = new LeaseKeeper(async (id, inc) => (renewals.push([id, inc]), { duration: inc, renewable: true }), (e) => events.push(e));
    const e = engine(2);
    assert.equal((await keeper.read('k', e.fetch)).version, 'lease-1');
    const firstEnd = keeper.lease('k')!.expiresAt;
    await sleep(2200);
    assert.equal((await keeper.read('k', e.fetch)).version, 'lease-1', 'past the first TTL the same lease is still served');
    assert.equal(e.fetches(), 1);
    assert.ok(renewals.length >= 1 && renewals.every(([id, inc]) => id === 'lease-1' && inc === 2), JSON.stringify(renewals));
    assert.ok(keeper.lease('k')!.expiresAt > firstEnd, 'renewal moved the end forward');
    assert.ok(events.some((x) => x.event === 'renewed'));
  });

  for (const c of [
    { name: 'renewal refused (lease revoked)', renew: async (): Promise<never> => Promise.reject(new SidecarError('BAD_RESPONSE', 'vault lease renewal: HTTP 400')), reason: 'refused' },
    { name: 'lease capped by its max TTL', renew: async () => ({ duration: 0, renewable: true }), reason: 'max-ttl' },
  ]) {
    it(`${c.name}: fetches new credentials ahead of expiry and tells the watchers`, async () => {
      const events: LeaseEvent[] = [];
      keeper = new LeaseKeeper(c.renew, (ev) => events.push(ev));
      const e = engine(1);
      let changes = 0;
      keeper.watch('k', () => changes++, new AbortController().signal);
      await keeper.read('k', e.fetch);
      await sleep(1500);
      assert.ok(changes >= 1, 'watcher told');
      assert.ok(e.fetches() >= 2);
      assert.notEqual((await keeper.read('k', e.fetch)).version, 'lease-1');
      assert.ok(events.some((x) => x.event === 'replaced' && x.reason === c.reason), JSON.stringify(events));
    });
  }

  it('a non-renewable lease is replaced at 2/3 of its TTL without a renewal call', async () => {
    let renewals = 0;
    keeper = new LeaseKeeper(async () => (renewals++, { duration: 1, renewable: true }));
    const e = engine(1, false);
    await keeper.read('k', e.fetch);
    await sleep(900);
    assert.equal(renewals, 0);
    assert.equal(e.fetches(), 2);
  });

  it('an unavailable store is retried and the lease kept while it lasts', async () => {
    let calls = 0;
    keeper = new LeaseKeeper(async (_id, inc) => {
      if (++calls === 1) throw new SidecarError('UNAVAILABLE', 'down');
      return { duration: inc, renewable: true };
    });
    const e = engine(2);
    await keeper.read('k', e.fetch);
    await sleep(2500);
    assert.ok(calls >= 2, `renewal retried (${calls})`);
    assert.equal(e.fetches(), 1, 'no new credentials while renewal can still succeed');
  });

  it('a value without a lease is never cached, and concurrent reads share one fetch', async () => {
    keeper = new LeaseKeeper(async () => ({ duration: 1, renewable: true }));
    let n = 0;
    const fetch = async (): Promise<LeasedRead> => (n++, await sleep(20), { value: { value: 'static', version: 'h' } });
    await Promise.all([keeper.read('k', fetch), keeper.read('k', fetch)]);
    assert.equal(n, 1);
    await keeper.read('k', fetch);
    assert.equal(n, 2);
  });

  it('close stops renewals, and a renewal in flight for a replaced lease is dropped', async () => {
    let renewals = 0;
    let release: () => void = () => undefined;
    keeper = new LeaseKeeper(async (_id, inc) => {
      renewals++;
      await new Promise<void>((r) => (release = r));
      return { duration: inc, renewable: true };
    });
    const e = engine(1);
    await keeper.read('k', e.fetch);
    await sleep(800);
    assert.equal(renewals, 1);
    keeper.close();
    release();
    await sleep(1200);
    assert.equal(renewals, 1, 'nothing renewed after close');
  });
});
