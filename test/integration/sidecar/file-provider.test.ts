import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSet } from '../../../sidecar/write/atomic-dir.js';
import { createFileProvider } from '../../../sidecar/providers/file.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import { startSidecar, writeSpec } from './sidecar-process.js';
import { startSampleApp, waitFor } from '../../sample-app/control.js';

// A mounted ConfigMap is simulated with the same ..data symlink swap the kubelet performs.
describe('sidecar file provider (kubelet-style mounted ConfigMap)', function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const mount = (): string => join(dir, 'cm');
  const publish = (yaml: string) => writeFileSet(mount(), new Map([['app.yaml', { content: Buffer.from(yaml), mode: 0o644 }]]));

  it('reads through the symlinks with a content-hash version and maps ENOENT to NOT_FOUND', async () => {
    await publish('a: 1\n');
    const p = createFileProvider({ storeName: 'cm', store: { provider: 'file', address: mount() }, namespace: 'x' });
    const got = await p.read({ store: 'cm', path: 'app.yaml' });
    assert.equal(got.value.toString(), 'a: 1\n');
    assert.match(got.version, /^[0-9a-f]{16}$/);
    await assert.rejects(p.read({ store: 'cm', path: 'missing.yaml' }), (e: unknown) => isSidecarError(e, 'NOT_FOUND'));
  });

  it('notices a ..data swap, merges layers and reloads the app once', async () => {
    await publish('greeting: hello\nport: 80\n');
    const root = join(dir, 'vol');
    const app = await startSampleApp(join(root, 'app.json'));
    const spec: SidecarSpec = {
      version: 1,
      pod: { namespace: 'team-a' },
      mountPath: '/bulwark',
      files: [{ name: 'app.json', kind: 'config', sources: [{ store: 'cm', path: 'app.yaml' }, { store: 'defaults', path: 'defaults.json' }], format: 'json', mode: 0o400 }],
      stores: { cm: { provider: 'file', address: mount() }, defaults: { provider: 'file', address: dir } },
      reload: [{ type: 'http', url: `${app.url}/reload` }],
      refreshSeconds: 300,
      onFailure: 'keep-last-good',
      initOnly: false,
      debounceMs: 100,
    };
    await writeFile(join(dir, 'defaults.json'), '{"port": 8080, "tls": {"enabled": false}}');
    const sc = await startSidecar(await writeSpec(dir, spec), root);
    try {
      await waitFor(async () => (await readFile(join(root, 'app.json'), 'utf8').catch(() => '')).includes('hello'), 10000, 'first write');
      assert.deepEqual(JSON.parse(await readFile(join(root, 'app.json'), 'utf8')), { greeting: 'hello', port: 8080, tls: { enabled: false } });
      await new Promise((r) => setTimeout(r, 300));
      await publish('greeting: swapped\n');
      await waitFor(async () => JSON.stringify((await app.state()).config).includes('swapped'), 10000, 'the app to see the swapped ConfigMap (refresh is 300 s, so only the watch can do it)');
      assert.equal((await app.state()).loads, 2);
    } finally {
      await sc.stop();
      await app.stop();
    }
  });
});
