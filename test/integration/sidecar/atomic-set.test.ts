/**
 * The sidecar's atomic set against a real Consul agent: one key changes as fast as a writer can
 * PUT it while the sidecar renders three files from it and a reader walks every version directory
 * it can catch. Every set a reader sees must come from one Consul ModifyIndex (zero mixed sets).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer, startConsul, type Peer } from './peers.js';
import { startSidecar, writeSpec } from './sidecar-process.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import { DATA_LINK } from '../../../sidecar/write/atomic-dir.js';

describe('sidecar atomic set against Consul (rapid changes, concurrent reader)', function () {
  this.timeout(120000);
  let consul: Peer | undefined;
  let dir: string;
  const put = async (value: string): Promise<void> => {
    const res = await fetch(`${consul!.url}/v1/kv/team-a/set`, { method: 'PUT', body: value, headers: { 'X-Consul-Token': 'root-token' } });
    if (!res.ok) throw new Error(`PUT team-a/set: HTTP ${res.status}`);
  };

  before(async function () {
    consul = await startConsul(requirePeer(this, 'consul'), 'root-token');
    dir = await mkdtemp(join(tmpdir(), 'bulwark-atomic-'));
    await writeFile(join(dir, 'token'), 'root-token\n');
  });
  after(async () => {
    await consul?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('never shows a reader a version directory that mixes two store versions', async () => {
    await put(JSON.stringify({ a: 'g0', b: 'g0' }));
    const root = join(dir, 'vol');
    const spec: SidecarSpec = {
      version: 1,
      pod: { namespace: 'team-a' },
      mountPath: '/bulwark',
      files: [
        { name: 'a.txt', kind: 'config', sources: [{ store: 'consul', path: 'team-a/set', key: 'a' }], format: 'raw', mode: 0o400 },
        { name: 'b.txt', kind: 'config', sources: [{ store: 'consul', path: 'team-a/set', key: 'b' }], format: 'raw', mode: 0o400 },
        { name: 'all.json', kind: 'config', sources: [{ store: 'consul', path: 'team-a/set' }], format: 'json', mode: 0o400 },
      ],
      stores: { consul: { provider: 'consul', address: consul!.url, auth: { method: 'token', tokenFile: join(dir, 'token') } } },
      reload: [{ type: 'none' }],
      refreshSeconds: 300,
      onFailure: 'keep-last-good',
      initOnly: false,
      debounceMs: 0,
      fetchBudgetPerMinute: 100000,
    };
    const sc = await startSidecar(await writeSpec(dir, spec), root);
    const seen = new Map<string, string>();
    let mixed = 0;
    let writing = true;
    let generation = 0;
    const writer = (async () => {
      while (writing) {
        generation += 1;
        await put(JSON.stringify({ a: `g${generation}`, b: `g${generation}` }));
      }
    })();
    try {
      // Read until 25 distinct sets were caught (each a swap the sidecar made while the key kept changing).
      while (seen.size < 25) {
        const version = await readlink(join(root, DATA_LINK)).catch(() => undefined);
        if (!version || seen.has(version)) {
          await new Promise((r) => setImmediate(r));
          continue;
        }
        // Read through the version directory itself: what a reader holding ..data sees.
        const files = await Promise.all(['a.txt', 'b.txt', 'all.json'].map((n) => readFile(join(root, version, n), 'utf8').catch(() => undefined)));
        if (files.some((f) => f === undefined)) continue; // pruned under us: not a set we saw whole
        const [a, b, all] = files as [string, string, string];
        const parsed = JSON.parse(all) as { a: string; b: string };
        const gens = new Set([a, b, parsed.a, parsed.b]);
        if (gens.size !== 1) mixed += 1;
        seen.set(version, [...gens].join('|'));
      }
    } finally {
      writing = false;
      await writer;
      await sc.stop();
    }
    assert.equal(mixed, 0, `mixed sets among ${seen.size}: ${[...seen.values()].filter((v) => v.includes('|')).slice(0, 5).join(', ')}`);
    assert.ok(generation > seen.size, 'the key changed more often than sets were caught');
  });
});
