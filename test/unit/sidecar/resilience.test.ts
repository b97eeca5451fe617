import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Debouncer } from '../../../sidecar/core/debouncer.js';
import { CircuitBreaker } from '../../../sidecar/fallback/circuit-breaker.js';
import { FetchBudget } from '../../../sidecar/core/fetch-budget.js';
import { backoffDelay } from '../../../sidecar/fallback/backoff.js';
import { EncryptedCache, parseCacheKey } from '../../../sidecar/fallback/encrypted-cache.js';
import { BadVersionMemory } from '../../../sidecar/reload/health.js';
import { selectKey } from '../../../sidecar/core/select-key.js';
import { isSidecarError } from '../../../sidecar/errors.js';

describe('sidecar resilience helpers', () => {
  it('debounces a burst of triggers into one call with every reason', async () => {
    const calls: string[][] = [];
    const d = new Debouncer(30, (r) => calls.push(r));
    for (const f of ['a', 'b', 'a', 'c']) {
      d.trigger(f);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(calls, [['a', 'b', 'c']]);
    d.trigger('d');
    d.cancel();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls.length, 1);
  });

  it('opens the breaker at the threshold, doubles the cool-down, and closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker('s', { threshold: 2, baseCooldownMs: 1000, maxCooldownMs: 3000, now: () => now });
    b.failure();
    assert.equal(b.state(), 'closed');
    b.failure();
    assert.equal(b.state(), 'open');
    assert.throws(() => b.check(), (e: unknown) => isSidecarError(e, 'CIRCUIT_OPEN'));
    now = 1000;
    assert.equal(b.state(), 'half-open');
    b.check();
    b.failure();
    now = 2999;
    assert.equal(b.state(), 'open', 'second opening lasts 2 s');
    now = 3000;
    b.failure();
    now = 5999;
    assert.equal(b.state(), 'open', 'third opening capped at 3 s');
    now = 6000;
    b.success();
    assert.equal(b.state(), 'closed');
  });

  it('limits fetches per sliding minute', () => {
    let now = 0;
    const budget = new FetchBudget(2, () => now);
    budget.take('s', 'p');
    budget.take('s', 'p');
    assert.throws(() => budget.take('s', 'p'), (e: unknown) => isSidecarError(e, 'BUDGET_EXCEEDED'));
    now = 60_001;
    budget.take('s', 'p');
    assert.equal(new FetchBudget(undefined).remaining(), Infinity);
  });

  const backoffRows = [
    { attempt: 1, want: [50, 100] },
    { attempt: 3, want: [200, 400] },
    { attempt: 10, want: [500, 1000] },
  ];
  for (const row of backoffRows) {
    it(`backs off exponentially with jitter (attempt ${row.attempt})`, () => {
      assert.equal(backoffDelay(row.attempt, 100, 1000, () => 0), row.want[0]);
      assert.equal(backoffDelay(row.attempt, 100, 1000, () => 1), row.want[1]);
    });
  }

  it('remembers a bad version per file until that file shows a different one', () => {
    const m = new BadVersionMemory();
    m.mark('a', 'h1');
    assert.equal(m.isBad('a', 'h1'), true);
    assert.equal(m.isBad('b', 'h1'), false, 'other files are not affected');
    assert.equal(m.isBad('a', 'h1'), true);
    assert.equal(m.isBad('a', 'h2'), false);
    assert.equal(m.isBad('a', 'h1'), false, 'store changed in between, so h1 may be tried again');
  });

  it('selects #key from maps and JSON text, and refuses missing keys', () => {
    const where = { store: 's', path: 'p' };
    assert.equal(selectKey('{"user":"u","n":3}', 'user', where), 'u');
    assert.equal(selectKey({ n: 3 }, 'n', where), '3');
    assert.throws(() => selectKey('{"a":1}', 'b', where), (e: unknown) => isSidecarError(e, 'NOT_FOUND') && !String(e).includes('"a"'));
    assert.throws(() => selectKey('plain', 'b', where), (e: unknown) => isSidecarError(e, 'BAD_RESPONSE'));
  });

  describe('encrypted last-good cache', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bulwark-cache-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('round-trips, hides the plaintext, and refuses a wrong key or tampering', async () => {
      const key = randomBytes(32);
      await writeFile(join(dir, 'key'), key.toString('hex'));
      const cache = new EncryptedCache(join(dir, 'cache'), join(dir, 'key'));
      const set = { savedAt: 1, files: { 'a.env': { content: Buffer.from('PASSWORD=hunter2').toString('base64'), mode: 0o400, hash: 'h', fetchedAt: 1 } } };
      await cache.save(set);
      assert.deepEqual(await cache.load(), set);
      const blob = await readFile(join(dir, 'cache'));
      assert.ok(!blob.includes('hunter2') && !blob.includes(set.files['a.env'].content));
      await writeFile(join(dir, 'key2'), randomBytes(32));
      await assert.rejects(new EncryptedCache(join(dir, 'cache'), join(dir, 'key2')).load(), (e: unknown) => isSidecarError(e, 'CACHE_INVALID'));
      blob[blob.length - 1]! ^= 1;
      await writeFile(join(dir, 'cache'), blob);
      await assert.rejects(cache.load(), (e: unknown) => isSidecarError(e, 'CACHE_INVALID'));
      assert.equal(await new EncryptedCache(join(dir, 'none'), join(dir, 'key')).load(), undefined);
    });

    const keyRows = [
      { name: 'raw 32 bytes', input: Buffer.alloc(32, 7), ok: true },
      { name: '64 hex chars', input: Buffer.from('ab'.repeat(32) + '\n'), ok: true },
      { name: 'base64', input: Buffer.from(Buffer.alloc(32, 1).toString('base64')), ok: true },
      { name: 'too short', input: Buffer.from('short'), ok: false },
    ];
    for (const row of keyRows) {
      it(`parses a cache key: ${row.name}`, () => {
        if (row.ok) assert.equal(parseCacheKey(row.input).length, 32);
        else assert.throws(() => parseCacheKey(row.input), (e: unknown) => isSidecarError(e, 'CACHE_INVALID'));
      });
    }
  });
});
