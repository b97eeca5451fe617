import assert from 'node:assert/strict';
import { Fetcher, withDeadline } from '../../../sidecar/core/fetcher.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { readTimeoutMs } from '../../../sidecar/main.js';
import type { Provider } from '../../../sidecar/providers/types.js';
import { specWith } from './fixtures.js';

describe('sidecar read deadline', () => {
  it('a store read that never answers fails with UNAVAILABLE at the deadline, and the provider sees the abort', async () => {
    let seen: AbortSignal | undefined;
    const hanging: Provider = { read: (_ref, signal) => ((seen = signal), new Promise(() => undefined)) };
    const fetcher = new Fetcher(specWith(), new SidecarMetrics(), async () => hanging, 60_000, 150);
    const started = Date.now();
    await assert.rejects(fetcher.fetch({ store: 'mem', path: 'app/config' }), (e: unknown) => isSidecarError(e, 'UNAVAILABLE') && /no answer within 0.15s/.test((e as Error).message) && /mem:app\/config/.test((e as Error).message));
    const took = Date.now() - started;
    assert.ok(took >= 140 && took < 1000, `took ${took} ms`);
    assert.equal(seen?.aborted, true);
  });

  it('three hung reads open the breaker, so the store is not called again at once', async () => {
    let reads = 0;
    const hanging: Provider = { read: () => (reads++, new Promise(() => undefined)) };
    const fetcher = new Fetcher(specWith(), new SidecarMetrics(), async () => hanging, 60_000, 20);
    for (let i = 0; i < 3; i++) await assert.rejects(fetcher.fetch({ store: 'mem', path: 'app/config' }));
    await assert.rejects(fetcher.fetch({ store: 'mem', path: 'app/config' }), (e: unknown) => isSidecarError(e, 'CIRCUIT_OPEN'));
    assert.equal(reads, 3);
  });

  it('a read that answers in time is unaffected', async () => {
    const ac = new AbortController();
    assert.equal(await withDeadline(Promise.resolve(7), ac.signal, 1000), 7);
  });

  const rows = [
    { name: 'default', opts: {}, env: {}, want: 10_000 },
    { name: 'flag', opts: { readTimeout: 2.5 }, env: { BULWARK_READ_TIMEOUT_SECONDS: '9' }, want: 2500 },
    { name: 'environment', opts: {}, env: { BULWARK_READ_TIMEOUT_SECONDS: '3' }, want: 3000 },
  ];
  for (const row of rows) {
    it(`read timeout from ${row.name}`, () => assert.equal(readTimeoutMs(row.opts, row.env), row.want));
  }
  it('refuses a read timeout that is not a positive number', () => {
    assert.throws(() => readTimeoutMs({}, { BULWARK_READ_TIMEOUT_SECONDS: 'soon' }), (e: unknown) => isSidecarError(e, 'SPEC_INVALID'));
  });
});
