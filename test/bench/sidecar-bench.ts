/**
 * Sidecar benchmark: idle RSS of `bulwark-sidecar run` with a file-provider spec, wall time of
 * `init` against warm stores, and propagation latency (store change -> file swapped -> app
 * notified) for every provider whose peer is installed. Prints a Markdown table.
 *
 * Run: npx tsc -p . && node dist/test/bench/sidecar-bench.js [--rounds 5]
 */
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { peerBinary, startMoto, startGcp, startBao, gcpAddVersion, type Peer } from '../integration/sidecar/peers.js';
import { runInit, startSidecar, writeSpec } from '../integration/sidecar/sidecar-process.js';
import { startSampleApp, waitFor } from '../sample-app/control.js';
import { writeFileSet } from '../../sidecar/write/atomic-dir.js';
import type { SidecarSpec, StoreSpec } from '../../sidecar/spec/types.js';

const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 5) || 5;
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

function spec(store: StoreSpec, path: string, refreshSeconds: number, reload: SidecarSpec['reload'] = [{ type: 'none' }]): SidecarSpec {
  return {
    version: 1,
    pod: { namespace: 'bench' },
    mountPath: '/bulwark',
    files: [{ name: 'app.json', kind: 'config', sources: [{ store: 's', path: path.split('#')[0]!, ...(path.includes('#') ? { key: path.split('#')[1]! } : {}) }], format: 'raw', mode: 0o400 }],
    stores: { s: store },
    reload,
    refreshSeconds,
    onFailure: 'fail',
    initOnly: false,
    debounceMs: 0,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssKb = async (pid: number): Promise<number> => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]);

interface Target {
  name: string;
  store: StoreSpec;
  path: string;
  env: Record<string, string>;
  refreshSeconds: number;
  set(value: string): Promise<void>;
}

async function idleRss(dir: string): Promise<{ startMb: number; idleMb: number }> {
  const cm = join(dir, 'cm');
  await writeFileSet(cm, new Map([['app.json', { content: Buffer.from('{"v":0}') }]]));
  const sc = await startSidecar(await writeSpec(dir, spec({ provider: 'file', address: cm }, 'app.json', 30)), join(dir, 'vol-rss'));
  try {
    const startMb = (await rssKb(sc.proc.pid!)) / 1024;
    await new Promise((r) => setTimeout(r, 10_000));
    return { startMb, idleMb: (await rssKb(sc.proc.pid!)) / 1024 };
  } finally {
    await sc.stop();
  }
}

async function initTimes(dir: string, t: Target): Promise<number> {
  const specFile = await writeSpec(dir, spec(t.store, t.path, 1));
  await runInit(specFile, join(dir, 'vol-init-warm'), t.env);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await runInit(specFile, join(dir, `vol-init-${i}`), t.env);
    if (r.code !== 0) throw new Error(`init failed for ${t.name}: ${r.stderr}`);
    times.push(r.ms);
  }
  return median(times);
}

async function propagation(dir: string, t: Target): Promise<{ swapMs: number; notifyMs: number; maxNotifyMs: number }> {
  const root = join(dir, `vol-prop-${t.name}`);
  await t.set('{"v":0}');
  const specFile = await writeSpec(dir, spec(t.store, t.path, t.refreshSeconds));
  if ((await runInit(specFile, root, t.env)).code !== 0) throw new Error(`init failed for ${t.name}`);
  const app = await startSampleApp(join(root, 'app.json'));
  const sc = await startSidecar(await writeSpec(dir, spec(t.store, t.path, t.refreshSeconds, [{ type: 'http', url: `${app.url}/reload` }])), root, t.env);
  const swaps: number[] = [];
  const notifies: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 1; i <= ROUNDS; i++) {
      const want = `{"v":${i}}`;
      const loads = (await app.state()).loads;
      const t0 = performance.now();
      await t.set(want);
      let swapped = 0;
      await waitFor(async () => {
        if (!swapped && (await readFile(join(root, 'app.json'), 'utf8').catch(() => '')) === want) swapped = performance.now();
        return swapped > 0 && (await app.state()).loads > loads;
      }, 30_000, `${t.name} propagation`);
      swaps.push(swapped - t0);
      notifies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
    }
  } finally {
    await sc.stop();
    await app.stop();
  }
  return { swapMs: median(swaps), notifyMs: median(notifies), maxNotifyMs: Math.max(...notifies) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
  const peers: Peer[] = [];
  try {
    const rss = await idleRss(dir);
    console.log(`idle RSS of bulwark-sidecar run (file provider): ${rss.startMb.toFixed(1)} MiB at start, ${rss.idleMb.toFixed(1)} MiB after 10 s idle\n`);
    const targets: Target[] = [];
    const cm = join(dir, 'cm-prop');
    targets.push({ name: 'file (chokidar watch)', store: { provider: 'file', address: cm }, path: 'app.json', env: {}, refreshSeconds: 300, set: async (v) => void (await writeFileSet(cm, new Map([['app.json', { content: Buffer.from(v), mode: 0o644 }]]))) });
    const motoBin = peerBinary('moto');
    if (motoBin) {
      const moto = await startMoto(motoBin);
      peers.push(moto);
      const ssm = new SSMClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      targets.push({ name: 'aws-ssm (moto, poll 1 s)', store: { provider: 'aws-ssm', address: moto.url, region: 'us-east-1' }, path: 'bench/app', env: AWS_ENV, refreshSeconds: 1, set: async (v) => void (await ssm.send(new PutParameterCommand({ Name: '/bench/app', Value: v, Type: 'SecureString', Overwrite: true }))) });
    }
    const baoBin = peerBinary('openbao');
    if (baoBin) {
      const bao = await startBao(baoBin);
      peers.push(bao);
      const tokenFile = join(dir, 'bao-token');
      await writeFile(tokenFile, 'root');
      targets.push({
        name: 'vault (OpenBao KV v2, poll 1 s)',
        store: { provider: 'vault', address: bao.url, auth: { method: 'token', tokenFile } },
        path: 'secret/bench/app#v',
        env: {},
        refreshSeconds: 1,
        set: async (v) => {
          const res = await fetch(`${bao.url}/v1/secret/data/bench/app`, { method: 'POST', headers: { 'X-Vault-Token': 'root' }, body: JSON.stringify({ data: { v } }) });
          if (!res.ok) throw new Error(`bao write: HTTP ${res.status}`);
        },
      });
    }
    const gcpBin = peerBinary('gcp');
    if (gcpBin) {
      const gcp = await startGcp(gcpBin);
      peers.push(gcp);
      targets.push({ name: 'gcp-secret-manager (emulator, poll 1 s)', store: { provider: 'gcp-secret-manager', address: gcp.url, project: 'bench', auth: { method: 'none' } }, path: 'app', env: {}, refreshSeconds: 1, set: async (v) => void (await gcpAddVersion(gcp.url, 'bench', 'app', v)) });
    }
    console.log(`| provider | init wall time (median of ${ROUNDS}) | change -> file swapped (median) | change -> app notified (median / max) |`);
    console.log('| --- | --- | --- | --- |');
    for (const t of targets) {
      await t.set('{"v":0}');
      const init = await initTimes(dir, t);
      const p = await propagation(dir, t);
      console.log(`| ${t.name} | ${init} ms | ${p.swapMs.toFixed(0)} ms | ${p.notifyMs.toFixed(0)} / ${p.maxNotifyMs.toFixed(0)} ms |`);
    }
  } finally {
    for (const p of peers) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
