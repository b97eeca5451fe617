import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, initFailure } from '../../../sidecar/engine.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { silentLogger, type Logger } from '../../../webhook/log.js';
import { specWith, MemStore } from './fixtures.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';

interface Harness {
  engine: Engine;
  store: MemStore;
  reloads: string[];
  health: boolean[];
  logs: Array<{ msg: string; fields: Record<string, unknown> }>;
  metrics: SidecarMetrics;
  root: string;
}

describe('sidecar engine', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'bulwark-eng-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function harness(spec: SidecarSpec, healthy: boolean[] = [], now: () => number = Date.now): Harness {
    const store = new MemStore();
    const reloads: string[] = [];
    const logs: Harness['logs'] = [];
    const logger: Logger = {
      ...silentLogger,
      info: (msg, fields) => logs.push({ msg, fields: fields ?? {} }),
      warn: (msg, fields) => logs.push({ msg, fields: fields ?? {} }),
      error: (msg, fields) => logs.push({ msg, fields: fields ?? {} }),
    };
    const metrics = new SidecarMetrics(now);
    const engine = new Engine({
      spec,
      root,
      logger,
      metrics,
      providers: async () => store,
      runStep: async (step) => void reloads.push(step.type),
      healthCheck: async () => healthy.shift() ?? true,
      now,
    });
    return { engine, store, reloads, health: healthy, logs, metrics, root };
  }

  it('writes on first sync without reloading, then reloads once per change', async () => {
    const h = harness(specWith({ reload: [{ type: 'http', url: 'http://x' }] }));
    h.store.set('app/config', { a: 1 });
    const first = await h.engine.sync('init');
    assert.deepEqual([first.written, first.reloaded], [true, false]);
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { a: 1 });
    const same = await h.engine.sync('poll');
    assert.equal(same.written, false);
    h.store.set('app/config', { a: 2 });
    const changed = await h.engine.sync('poll');
    assert.deepEqual([changed.written, changed.reloaded, changed.changed], [true, true, ['app.json']]);
    assert.deepEqual(h.reloads, ['http']);
    const log = h.logs.find((l) => l.msg === 'file changed' && l.fields.newVersion === 'mem:app/config@2');
    assert.ok(log, 'change logged with new version');
    assert.equal(log.fields.oldVersion, 'mem:app/config@1');
    assert.equal(log.fields.provider, 'file');
    assert.ok(!JSON.stringify(h.logs).includes('"a":2'), 'no content in logs');
  });

  it('never writes content that fails its schema and keeps the last good', async () => {
    const spec = specWith();
    spec.files[0]!.schema = { type: 'object', properties: { a: { type: 'integer' } } };
    const h = harness(spec);
    h.store.set('app/config', { a: 1 });
    await h.engine.sync('init');
    h.store.set('app/config', { a: 'not a number' });
    const r = await h.engine.sync('poll');
    assert.equal(r.written, false);
    assert.equal(r.failures[0]?.code, 'SCHEMA_INVALID');
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { a: 1 });
    assert.deepEqual(h.reloads, []);
  });

  it('rolls back when the app turns unhealthy and does not retry the bad version until the store changes', async () => {
    const h = harness(specWith({ health: { url: 'http://x/healthz', timeoutSeconds: 1 } }), [false, true]);
    h.store.set('app/config', { v: 'good' });
    await h.engine.sync('init');
    h.store.set('app/config', { v: 'bad' });
    const r = await h.engine.sync('poll');
    assert.equal(r.rolledBack, true);
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { v: 'good' });
    assert.deepEqual(h.reloads, ['none', 'none'], 'reloaded the bad content, then the restored one');
    assert.equal((await h.metrics.rollbacks.get()).values[0]?.value, 1);
    const again = await h.engine.sync('poll');
    assert.equal(again.skippedBad, true);
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { v: 'good' });
    h.store.set('app/config', { v: 'fixed' });
    const fixed = await h.engine.sync('poll');
    assert.equal(fixed.written, true);
    assert.equal(fixed.rolledBack, false);
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { v: 'fixed' });
  });

  it('renders every file of a cycle from one read of each source, so a set never mixes versions', async () => {
    const spec = specWith();
    spec.files[0]!.sources = [{ store: 'mem', path: 'app/config', key: 'a' }];
    spec.files[0]!.format = 'raw';
    spec.files.push({ name: 'b.txt', kind: 'config', sources: [{ store: 'mem', path: 'app/config', key: 'b' }], format: 'raw', mode: 0o400 });
    spec.files.push({ name: 'c.json', kind: 'config', sources: [{ store: 'mem', path: 'app/config' }], format: 'json', mode: 0o400 });
    const h = harness(spec);
    // Every read sees a new generation, as a store changed between two reads would.
    let generation = 0;
    const read = h.store.read.bind(h.store);
    h.store.read = async (ref) => {
      generation += 1;
      h.store.set('app/config', { a: `gen${generation}`, b: `gen${generation}` });
      return read(ref);
    };
    h.store.set('app/config', { a: 'gen0', b: 'gen0' });
    await h.engine.sync('init');
    await h.engine.sync('poll');
    const a = await readFile(join(root, 'app.json'), 'utf8');
    const b = await readFile(join(root, 'b.txt'), 'utf8');
    const c = JSON.parse(await readFile(join(root, 'c.json'), 'utf8')) as { a: string };
    assert.deepEqual([a, b, c.a], ['gen2', 'gen2', 'gen2']);
    assert.equal(h.store.reads, 2, 'one store read per cycle for the three files');
    const versions = new Set([...h.engine.state().values()].map((f) => f.versions.split('@')[1]));
    assert.equal(versions.size, 1, 'every file records the same store version');
  });

  describe('size limits', () => {
    it('refuses a file over limits.fileBytes with TOO_LARGE and keeps its last good content', async () => {
      const h = harness(specWith({ limits: { fileBytes: 64, totalBytes: 1000 } }));
      h.store.set('app/config', { a: 1 });
      await h.engine.sync('init');
      h.store.set('app/config', { a: 'x'.repeat(100) });
      const r = await h.engine.sync('poll');
      assert.deepEqual([r.written, r.failures[0]?.code], [false, 'TOO_LARGE']);
      assert.match(r.failures[0]!.message, /over the limit of 64 per file/);
      assert.ok(!r.failures[0]!.message.includes('xxx'), 'no content in the message');
      assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { a: 1 });
    });

    it('refuses the changed files, largest first, that would bring the set over limits.totalBytes', async () => {
      const spec = specWith({ limits: { fileBytes: 1000, totalBytes: 300 } });
      spec.files.push({ name: 'b.json', kind: 'config', sources: [{ store: 'mem', path: 'app/b' }], format: 'json', mode: 0o400 });
      const h = harness(spec);
      h.store.set('app/config', { a: 1 });
      h.store.set('app/b', { b: 1 });
      await h.engine.sync('init');
      h.store.set('app/config', { a: 'x'.repeat(400) });
      h.store.set('app/b', { b: 2 });
      const r = await h.engine.sync('poll');
      assert.deepEqual([r.written, r.changed, r.failures.map((f) => [f.file, f.code])], [true, ['b.json'], [['app.json', 'TOO_LARGE']]]);
      assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { a: 1 }, 'last good kept');
      assert.deepEqual(JSON.parse(await readFile(join(root, 'b.json'), 'utf8')), { b: 2 }, 'the small change still lands');
    });

    it('refuses a store answer over 8 MiB from a provider that buffers (SDK clients) before rendering', async () => {
      const h = harness(specWith());
      h.store.set('app/config', Buffer.alloc(8 * 1024 * 1024 + 1, 0x61));
      const r = await h.engine.sync('init');
      assert.deepEqual([r.written, r.failures[0]?.code], [false, 'TOO_LARGE']);
      assert.match(r.failures[0]!.message, /over the limit of 8388608 per store answer/);
    });
  });

  describe('rollback per file', () => {
    const twoFiles = (over: Partial<SidecarSpec> = {}): SidecarSpec => {
      const spec = specWith({ health: { url: 'http://x/healthz', timeoutSeconds: 1 }, ...over });
      spec.files.push({ name: 'b.json', kind: 'config', sources: [{ store: 'mem', path: 'app/b' }], format: 'json', mode: 0o400 });
      return spec;
    };
    const read = async (name: string) => JSON.parse(await readFile(join(root, name), 'utf8')) as unknown;

    it('a bad file does not block a later change of another file', async () => {
      const h = harness(twoFiles(), [false, true]);
      h.store.set('app/config', { v: 'good' });
      h.store.set('app/b', { b: 1 });
      await h.engine.sync('init');
      h.store.set('app/config', { v: 'bad' });
      assert.equal((await h.engine.sync('poll')).rolledBack, true);
      h.store.set('app/b', { b: 2 });
      const r = await h.engine.sync('poll');
      assert.deepEqual([r.changed, r.skippedBad, r.rolledBack], [['b.json'], true, false]);
      assert.deepEqual([await read('app.json'), await read('b.json')], [{ v: 'good' }, { b: 2 }]);
    });

    it('content is not marked bad when the app stays unhealthy after the rollback, so it is tried again', async () => {
      const h = harness(specWith({ health: { url: 'http://x/healthz', timeoutSeconds: 1 } }), [false, false, true]);
      h.store.set('app/config', { v: 'good' });
      await h.engine.sync('init');
      h.store.set('app/config', { v: 'new' });
      assert.equal((await h.engine.sync('poll')).rolledBack, true);
      const again = await h.engine.sync('poll');
      assert.deepEqual([again.skippedBad, again.written, again.rolledBack], [false, true, false]);
      assert.deepEqual(await read('app.json'), { v: 'new' });
      assert.ok(h.logs.some((l) => l.msg === 'app still unhealthy after the rollback; not blaming the new content, it will be tried again'));
    });
  });

  describe('restart reload', () => {
    it('is not health-checked or rolled back: the pods are being replaced', async () => {
      const h = harness(specWith({ reload: [{ type: 'restart' }], health: { url: 'http://x/healthz', timeoutSeconds: 1 } }), [false, false]);
      h.store.set('app/config', { v: 1 });
      await h.engine.sync('init');
      h.store.set('app/config', { v: 2 });
      const r = await h.engine.sync('poll');
      assert.deepEqual([r.reloaded, r.rolledBack], [true, false]);
      assert.equal(h.health.length, 2, 'health never checked');
      assert.deepEqual(await readFile(join(root, 'app.json'), 'utf8').then((t) => JSON.parse(t) as unknown), { v: 2 });
    });

    it('every replica patches the same restartedAt value for the same change (the workload restarts once)', async () => {
      const spec = specWith({ reload: [{ type: 'restart' }] });
      const store = new MemStore();
      store.set('app/config', { v: 1 });
      const seen: string[][] = [[], []];
      const replicas = await Promise.all(
        [0, 1].map(async (i) => {
          const dir = await mkdtemp(join(tmpdir(), `bulwark-replica-${i}-`));
          const engine = new Engine({ spec, root: dir, logger: silentLogger, metrics: new SidecarMetrics(), providers: async () => store, runStep: async (_s, _spec, ctx) => void seen[i]!.push(ctx!.contentId) });
          await engine.sync('init');
          return { engine, dir };
        }),
      );
      try {
        store.set('app/config', { v: 2 });
        for (const r of replicas) await r.engine.sync('poll');
        store.set('app/config', { v: 3 });
        for (const r of replicas) await r.engine.sync('poll');
        assert.equal(seen[0]!.length, 2);
        assert.deepEqual(seen[0], seen[1], 'replicas agree on each value');
        assert.notEqual(seen[0]![0], seen[0]![1], 'a new change is a new value');
        assert.match(seen[0]![0]!, /^[0-9a-f]{16}$/);
      } finally {
        for (const r of replicas) await rm(r.dir, { recursive: true, force: true });
      }
    });
  });

  it('serves last good content while the store is down, and staleness grows', async () => {
    let now = 1_000_000;
    const h = harness(specWith(), [], () => now);
    h.store.set('app/config', { a: 1 });
    await h.engine.sync('init');
    assert.equal(h.metrics.stalenessOf('app.json'), 0);
    h.store.down = true;
    now += 30_000;
    const r = await h.engine.sync('poll');
    assert.equal(r.failures[0]?.code, 'UNAVAILABLE');
    assert.match(r.failures[0]!.message, /mem:app\/config/);
    assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { a: 1 });
    assert.equal(h.metrics.stalenessOf('app.json'), 30);
    assert.match(await h.metrics.registry.metrics(), /bulwark_sidecar_staleness_seconds\{file="app.json"\} 30/);
    h.store.down = false;
    now += 5_000;
    await h.engine.sync('poll');
    assert.equal(h.metrics.stalenessOf('app.json'), 0);
  });

  it('a restarted sidecar knows how stale the content on disk is (fetch time kept as the file mtime)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const first = harness(specWith(), [], () => now);
    first.store.set('app/config', { a: 1 });
    await first.engine.sync('init');
    now += 90_000;
    const restarted = harness(specWith(), [], () => now);
    restarted.store.down = true;
    assert.equal(await restarted.engine.seed(), 1);
    assert.equal(restarted.metrics.stalenessOf('app.json'), 90);
    await restarted.engine.sync('poll');
    assert.match(await restarted.metrics.registry.metrics(), /bulwark_sidecar_staleness_seconds\{file="app.json"\} 90/);
  });

  it('refuses a source outside the tenant prefixes without calling the store', async () => {
    const spec = specWith();
    spec.files[0]!.sources = [{ store: 'mem', path: 'app/../other/secret' }];
    const h = harness(spec);
    const r = await h.engine.sync('init');
    assert.equal(r.failures[0]?.code, 'OUT_OF_SCOPE');
    assert.equal(h.store.reads, 0);
  });

  it('spends the fetch budget and then keeps last good', async () => {
    const h = harness(specWith({ fetchBudgetPerMinute: 2 }));
    h.store.set('app/config', { a: 1 });
    await h.engine.sync('init');
    await h.engine.sync('poll');
    const r = await h.engine.sync('poll');
    assert.equal(r.failures[0]?.code, 'BUDGET_EXCEEDED');
    assert.equal(h.store.reads, 2);
  });

  it('opens the circuit after repeated failures so the store is not hammered', async () => {
    const h = harness(specWith());
    h.store.down = true;
    for (let i = 0; i < 6; i++) await h.engine.sync('poll');
    assert.equal(h.store.reads, 3);
  });

  it('swaps several changed files with one reload', async () => {
    const spec = specWith({ reload: [{ type: 'signal', signal: 'SIGHUP', process: 'app' }] });
    spec.files.push({ name: 'b.env', kind: 'secret', sources: [{ store: 'mem', path: 'app/b' }], format: 'env', mode: 0o400 });
    const h = harness(spec);
    h.store.set('app/config', { a: 1 });
    h.store.set('app/b', { B: 'x' });
    await h.engine.sync('init');
    h.store.set('app/config', { a: 2 });
    h.store.set('app/b', { B: 'y' });
    const r = await h.engine.sync('poll');
    assert.deepEqual(r.changed, ['app.json', 'b.env']);
    assert.deepEqual(h.reloads, ['signal']);
    assert.equal(await readFile(join(root, 'b.env'), 'utf8'), 'B=y\n');
  });

  describe('init outcome', () => {
    const failures = [{ file: 'app.json', code: 'NOT_FOUND' as const, message: 'cannot read vault:team-a/db (store vault, provider vault): HTTP 404' }];
    const rows = [
      { name: 'fail names store and path', onFailure: 'fail' as const, have: [], want: /on-failure=fail.*vault:team-a\/db/ },
      { name: 'fail even when last good exists', onFailure: 'fail' as const, have: ['app.json'], want: /on-failure=fail/ },
      { name: 'keep-last-good without prior content says so', onFailure: 'keep-last-good' as const, have: [], want: /no last good content yet for app.json/ },
      { name: 'keep-last-good with prior content succeeds', onFailure: 'keep-last-good' as const, have: ['app.json'], want: undefined },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const err = initFailure(specWith({ onFailure: row.onFailure }), failures, new Set(row.have));
        if (row.want) assert.match(err?.message ?? '', row.want);
        else assert.equal(err, undefined);
      });
    }
  });
});
