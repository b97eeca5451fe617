import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentHash, publicDigest } from '../../../sidecar/core/hash.js';
import { Engine } from '../../../sidecar/engine.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { silentLogger } from '../../../webhook/log.js';
import { MemStore, specWith } from './fixtures.js';

const sha = (...parts: string[]): string[] => {
  const joined = createHash('sha256');
  for (const p of parts) joined.update(`${p}\0`);
  return [joined.digest('hex').slice(0, 16), createHash('sha256').update(parts.join('')).digest('hex').slice(0, 16)];
};

describe('sidecar published hashes', () => {
  it('content hashes are keyed: stable in this process, not the sha256 anyone could compute', () => {
    assert.equal(contentHash('hunter2'), contentHash('hunter2'));
    assert.notEqual(contentHash('hunter2'), contentHash('hunter3'));
    for (const plain of sha('hunter2')) assert.notEqual(contentHash('hunter2'), plain);
  });

  it('another process hashes the same content differently (a per-process random key)', () => {
    const mod = pathToFileURL(join(process.cwd(), 'dist/sidecar/core/hash.js')).href;
    const other = execFileSync(process.execPath, ['--input-type=module', '-e', `import { contentHash } from '${mod}'; process.stdout.write(contentHash('hunter2'));`], { encoding: 'utf8' });
    assert.match(other, /^[0-9a-f]{16}$/);
    assert.notEqual(other, contentHash('hunter2'));
  });

  it('the public digest is the plain sha256, for non-secret ids only', () => {
    assert.equal(publicDigest('a@1', 'b@2'), sha('a@1', 'b@2')[0]);
  });

  it('the content_info metric and the engine state never carry the unkeyed hash of a written file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bulwark-hash-'));
    try {
      const store = new MemStore();
      store.set('app/config', { password: 'hunter2' });
      const metrics = new SidecarMetrics();
      const engine = new Engine({ spec: specWith(), root, logger: silentLogger, metrics, providers: async () => store });
      await engine.sync('init');
      const written = await readFile(join(root, 'app.json'), 'utf8');
      const text = await metrics.registry.metrics();
      const version = /bulwark_sidecar_content_info\{file="app.json",version="([0-9a-f]+)"\} 1/.exec(text)?.[1];
      assert.ok(version, text);
      assert.equal(version, engine.state().get('app.json')?.hash);
      for (const plain of sha(written)) assert.ok(!text.includes(plain), 'unkeyed content hash published');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
