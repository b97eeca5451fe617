import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, readFile, stat, lstat, readlink, readdir, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../../../sidecar/write/atomic-file.js';
import { writeFileSet, readFileSet, DATA_LINK } from '../../../sidecar/write/atomic-dir.js';

// A reader in another thread: reads both files in a tight loop and counts reads that are
// partial, empty, or mixed (a.txt from one version and b.txt from another).
const READER = `
const { readFileSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
let reads = 0, bad = 0, missing = 0; const seen = new Set();
const end = Date.now() + workerData.ms;
while (Date.now() < end) {
  try {
    const a = readFileSync(workerData.root + '/a.txt', 'utf8');
    const b = readFileSync(workerData.root + '/b.txt', 'utf8');
    reads++;
    const okA = a.length === workerData.size && a === a[0].repeat(a.length);
    const okB = b.length === workerData.size && b === b[0].repeat(b.length);
    if (!okA || !okB) bad++;
    seen.add(a[0]);
  } catch (e) { missing++; }
}
parentPort.postMessage({ reads, bad, missing, versions: seen.size });
`;

describe('sidecar atomic writing', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-aw-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a single file with the mode and leaves no temp file', async () => {
    await writeFileAtomic(join(dir, 'x'), 'hello', 0o440);
    await writeFileAtomic(join(dir, 'x'), 'hello again');
    assert.equal(await readFile(join(dir, 'x'), 'utf8'), 'hello again');
    assert.equal((await stat(join(dir, 'x'))).mode & 0o777, 0o400);
    assert.deepEqual(await readdir(dir), ['x']);
  });

  it('lays files out like the kubelet: name -> ..data/name, ..data -> version dir', async () => {
    await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from('1') }], ['b.txt', { content: Buffer.from('2'), mode: 0o440 }]]));
    assert.ok((await lstat(join(dir, 'a.txt'))).isSymbolicLink());
    assert.equal(await readlink(join(dir, 'a.txt')), join(DATA_LINK, 'a.txt'));
    assert.match(await readlink(join(dir, DATA_LINK)), /^\.\.\d/);
    assert.equal((await stat(join(dir, 'a.txt'))).mode & 0o777, 0o400);
    assert.equal((await stat(join(dir, 'b.txt'))).mode & 0o777, 0o440);
    const got = await readFileSet(dir, ['a.txt', 'b.txt', 'c.txt']);
    assert.deepEqual([...got].map(([k, v]) => [k, v.toString()]), [['a.txt', '1'], ['b.txt', '2']]);
  });

  it('removes names that left the set and keeps at most two version dirs', async () => {
    for (let i = 0; i < 5; i++) await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from(String(i)) }], ...(i < 2 ? [['old.txt', { content: Buffer.from('o') }] as const] : [])]));
    const entries = await readdir(dir);
    assert.ok(!entries.includes('old.txt'));
    assert.equal(entries.filter((e) => e.startsWith('..') && e !== DATA_LINK).length, 2);
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), '4');
  });

  it('replaces a pre-existing plain file with the managed symlink', async () => {
    await writeFile(join(dir, 'a.txt'), 'plain');
    await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from('managed') }]]));
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'managed');
  });

  it('never shows a concurrent reader a partial, empty or mixed set', async function () {
    this.timeout(20000);
    const size = 256 * 1024;
    const write = (ch: string) => writeFileSet(dir, new Map([['a.txt', { content: Buffer.from(ch.repeat(size)) }], ['b.txt', { content: Buffer.from(ch.repeat(size)) }]]));
    await write('a');
    const worker = new Worker(READER, { eval: true, workerData: { root: dir, ms: 2500, size } });
    const done = new Promise<{ reads: number; bad: number; missing: number; versions: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const letters = 'bcdefghij';
    let writes = 0;
    const stopAt = Date.now() + 2300;
    while (Date.now() < stopAt) await write(letters[writes++ % letters.length]!);
    const r = await done;
    await worker.terminate();
    assert.ok(r.reads > 50, `reader made ${r.reads} reads`);
    assert.ok(writes > 20, `writer made ${writes} swaps`);
    assert.ok(r.versions > 1, 'reader saw the content change');
    assert.equal(r.bad, 0, `${r.bad} partial or mixed reads out of ${r.reads}`);
    assert.equal(r.missing, 0, `${r.missing} reads found no file`);
  });
});

describe('sidecar atomic writing after failures', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-awf-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const versionDirs = async (): Promise<string[]> => (await readdir(dir)).filter((e) => e.startsWith('..') && e !== DATA_LINK);

  it('a write that fails midway leaves no version directory with plaintext, and the old set is served', async () => {
    await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from('old') }]]));
    const before = await versionDirs();
    const failing = new Map<string, { content: Buffer }>([['a.txt', { content: Buffer.from('hunter2-new') }], ['b.txt', { content: undefined as unknown as Buffer }]]);
    await assert.rejects(writeFileSet(dir, failing), (e: unknown) => (e as { code?: string }).code === 'WRITE_FAILED');
    assert.deepEqual(await versionDirs(), before);
    for (const d of await versionDirs()) for (const f of await readdir(join(dir, d))) assert.ok(!(await readFile(join(dir, d, f), 'utf8')).includes('hunter2'));
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'old');
  });

  it('prunes stale version directories and temp links before writing, so leftovers cannot fill the volume', async () => {
    await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from('1') }]]));
    const current = await readlink(join(dir, DATA_LINK));
    await mkdir(join(dir, '..2020_01_01_stale'));
    await writeFile(join(dir, '..2020_01_01_stale', 'a.txt'), 'x'.repeat(1024));
    await symlink('nowhere', join(dir, '..tmp_a.txt_dead'));
    const version = await writeFileSet(dir, new Map([['a.txt', { content: Buffer.from('2') }]]));
    assert.deepEqual((await versionDirs()).sort(), [current, version].sort());
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), '2');
  });

  it('refuses a bad file name before creating anything', async () => {
    await assert.rejects(writeFileSet(dir, new Map([['..data', { content: Buffer.from('x') }]])), /not allowed/);
    assert.deepEqual(await readdir(dir), []);
  });
});
