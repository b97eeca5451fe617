import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSampleApp, waitFor, type SampleApp } from '../../sample-app/control.js';
import { findMainProcesses, findProcesses } from '../../../sidecar/reload/find-process.js';
import { signalProcess } from '../../../sidecar/reload/signal.js';
import { httpReload } from '../../../sidecar/reload/http.js';
import { runReloadChain } from '../../../sidecar/reload/chain.js';
import { buildRestartPatch, RESTARTED_AT } from '../../../sidecar/reload/restart.js';
import { waitHealthy } from '../../../sidecar/reload/health.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { specWith } from './fixtures.js';

describe('sidecar reload strategies', function () {
  this.timeout(15000);
  let dir: string;
  let app: SampleApp;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-reload-'));
    await writeFile(join(dir, 'c.json'), '{"v":1}');
    app = await startSampleApp(join(dir, 'c.json'));
  });
  after(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the app through /proc by its script name', async () => {
    assert.ok((await findProcesses('sample-app.js')).includes(app.proc.pid!));
    assert.deepEqual(await findProcesses('no-such-process-bulwark'), []);
  });

  it('signals the named process, which reloads', async () => {
    await writeFile(join(dir, 'c.json'), '{"v":2}');
    await signalProcess('SIGHUP', 'sample-app.js');
    await waitFor(async () => (await app.state()).via === 'SIGHUP', 3000, 'SIGHUP reload');
    assert.deepEqual((await app.state()).config, { v: 2 });
  });

  it('refuses a signal reload to an absent process', async () => {
    await assert.rejects(signalProcess('SIGHUP', 'no-such-process-bulwark'), (e: unknown) => isSidecarError(e, 'RELOAD_FAILED') && /shareProcessNamespace/.test((e as Error).message));
  });

  it('without a process name, finds the main process of every other container (parent pid 0)', async () => {
    // A fake /proc of a pod with a shared process namespace.
    const proc = await mkdtemp(join(tmpdir(), 'bulwark-proc-'));
    const add = async (pid: number, ppid: number, comm: string, cmdline: string[]) => {
      await mkdir(join(proc, String(pid)));
      await writeFile(join(proc, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1`);
      await writeFile(join(proc, String(pid), 'cmdline'), cmdline.length ? `${cmdline.join('\0')}\0` : '');
    };
    await add(1, 0, 'pause', ['/pause']);
    await add(7, 0, 'nginx', ['nginx: master process nginx']);
    await add(8, 7, 'nginx', ['nginx: worker process']);
    await add(9, 0, 'node', ['node', '/app/dist/sidecar/main.js', 'run']);
    await add(12, 0, 'java', ['java', '-jar', 'app.jar']);
    await add(13, 12, 'sh', ['sh', '-c', 'x']);
    await add(14, 0, 'kworker', []);
    try {
      assert.deepEqual(await findMainProcesses(proc, 9), [7, 12]);
      assert.deepEqual(await findMainProcesses(join(proc, 'missing')), []);
      const empty = await mkdtemp(join(tmpdir(), 'bulwark-proc-'));
      await assert.rejects(signalProcess('SIGHUP', undefined, empty), /no container main process found; does the pod set shareProcessNamespace/);
      await rm(empty, { recursive: true, force: true });
    } finally {
      await rm(proc, { recursive: true, force: true });
    }
  });

  it('POSTs to the reload URL', async () => {
    await writeFile(join(dir, 'c.json'), '{"v":3}');
    assert.equal(await httpReload(`${app.url}/reload`), 1);
    const s = await app.state();
    assert.deepEqual([s.via, s.config], ['http', { v: 3 }]);
  });

  it('retries non-2xx answers with backoff, then gives up', async () => {
    let calls = 0;
    const server: Server = createServer((_req, res) => {
      calls += 1;
      res.writeHead(calls < 3 ? 503 : 204);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
    try {
      assert.equal(await httpReload(url, { baseDelayMs: 10 }), 3);
      calls = -100;
      await assert.rejects(httpReload(url, { attempts: 2, baseDelayMs: 10 }), /failed 2 times, last: HTTP 503/);
    } finally {
      server.close();
    }
  });

  it('falls back along the chain and counts each step', async () => {
    const metrics = new SidecarMetrics();
    const spec = specWith({ reload: [{ type: 'signal', signal: 'SIGHUP', process: 'no-such-process-bulwark' }, { type: 'http', url: `${app.url}/reload` }] });
    const out = await runReloadChain(spec, undefined, metrics);
    assert.equal(out.ok, true);
    assert.equal(out.strategy, 'http');
    assert.equal(out.errors.length, 1);
    const text = await metrics.registry.metrics();
    assert.match(text, /bulwark_sidecar_reloads_total\{strategy="signal",result="failure"\} 1/);
    assert.match(text, /bulwark_sidecar_reloads_total\{strategy="http",result="success"\} 1/);
  });

  it('reports a chain where every step fails', async () => {
    const out = await runReloadChain(specWith({ reload: [{ type: 'http', url: 'http://127.0.0.1:1/reload' }] }), async () => {
      throw new Error('nope');
    });
    assert.deepEqual(out, { ok: false, strategy: 'http', errors: ['http: nope'] });
  });

  it('builds the rollout-restart patch kubectl uses', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    assert.deepEqual(buildRestartPatch(now), { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: '2026-01-02T03:04:05.000Z' } } } } });
  });

  it('sees health turn bad and good through /healthz', async () => {
    assert.equal(await waitHealthy(`${app.url}/healthz`, 1000, 0), true);
    await fetch(`${app.url}/break`, { method: 'POST' });
    assert.equal(await waitHealthy(`${app.url}/healthz`, 600, 0), false);
    await fetch(`${app.url}/fix`, { method: 'POST' });
    await writeFile(join(dir, 'c.json'), '{"break":true}');
    await httpReload(`${app.url}/reload`);
    assert.equal(await waitHealthy(`${app.url}/healthz`, 600, 0), false);
  });
});
