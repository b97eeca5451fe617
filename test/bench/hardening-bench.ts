/**
 * Benchmark: the shapes the hardening work bounds, against the real `bulwark serve` in its own
 * process (so its RSS is the server's alone), next to a baseline measured in the same run:
 * - a valid 75,000-key ConfigMap on CREATE and UPDATE, against a 64-key ConfigMap;
 * - a maximal (6 MiB) admission body, and N of them at once: the server's peak RSS (VmHWM) against
 *   its RSS after a small review, and against the 512Mi limit of the prod overlay;
 * - /healthz answered while those run (the event loop is not stalled by one request).
 * Prints figures and ratios; asserts nothing. Run: node dist/test/bench/hardening-bench.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admissionReview } from '../helpers/https.js';

const PROD_MEMORY_LIMIT_MIB = 512;

interface Server {
  proc: ChildProcess;
  port: number;
  ca: string;
}

async function startServer(stateDir: string): Promise<Server> {
  const proc = spawn(process.execPath, ['dist/webhook/cli.js', 'serve', '--cluster', 'none', '--port', '0', '--state-dir', stateDir, '--policies-dir', 'policies', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"message":"bulwark webhook listening".*?"port":(\d+)|"port":(\d+).*?"message":"bulwark webhook listening"/.exec(buf);
      if (m) resolve(Number(m[1] ?? m[2]));
    });
    proc.once('exit', (code) => reject(new Error(`bulwark serve exited with ${code}: ${buf.slice(-2000)}`)));
  });
  const ca = await readFile(join(stateDir, 'certs', 'ca.crt'), 'utf8');
  return { proc, port, ca };
}

/** The server's current and peak resident set (MiB), from /proc. */
async function rss(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function post(s: Server, path: string, body: string, agent?: https.Agent): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = https.request({ host: '127.0.0.1', port: s.port, path, method: path === '/healthz' ? 'GET' : 'POST', ca: s.ca, agent: agent ?? false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(path === '/healthz' ? undefined : body);
  });
}

function configMapReview(keys: number, operation: 'CREATE' | 'UPDATE'): string {
  const data: Record<string, string> = {};
  for (let i = 0; i < keys; i++) data[`key-${i}`] = `v${i}`;
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'shop-dev' }, data };
  const review = admissionReview(obj) as { request: Record<string, unknown> };
  review.request.operation = operation;
  if (operation === 'UPDATE') review.request.oldObject = { ...obj, data: { ...data, 'key-0': 'changed' } };
  return JSON.stringify(review);
}

/** A review of the maximal accepted size (6 MiB less a margin): empty objects, the shape that inflated RSS most. */
function emptyObjectBomb(bytes: number): string {
  const head = JSON.stringify(admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bomb', namespace: 'shop-dev' }, data: {} }));
  const filler = `,"x":[${Array.from({ length: Math.floor((bytes - head.length - 16) / 3) }, () => '{}').join(',')}]`;
  return head.replace(/}$/, `${filler}}`);
}

/** One 6 MiB value in a ConfigMap: a valid shape of the maximal body. */
function bigValue(bytes: number): string {
  return JSON.stringify(admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blob', namespace: 'shop-dev' }, data: { blob: 'a'.repeat(bytes - 600) } }));
}

async function withServer<T>(fn: (s: Server, agent: https.Agent) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-hb-'));
  const s = await startServer(dir);
  const agent = new https.Agent({ keepAlive: true, ca: s.ca, maxSockets: 16 });
  try {
    return await fn(s, agent);
  } finally {
    agent.destroy();
    s.proc.kill('SIGTERM');
    await new Promise((r) => s.proc.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const small = configMapReview(64, 'CREATE');
  const baseline = await withServer(async (s, agent) => {
    for (let i = 0; i < 100; i++) await post(s, '/validate', small, agent);
    const runs: number[] = [];
    for (let i = 0; i < 21; i++) runs.push((await post(s, '/validate', small, agent)).ms);
    runs.sort((a, b) => a - b);
    return { ms: runs[10]!, rss: await rss(s.proc.pid!) };
  });
  console.log(`baseline (fresh server each row, keep-alive client): 64-key ConfigMap CREATE ${baseline.ms.toFixed(2)} ms (median of 21); server RSS ${baseline.rss.now.toFixed(0)} MiB, peak ${baseline.rss.peak.toFixed(0)} MiB`);
  await withServer(async (s, agent) => {
    for (const op of ['CREATE', 'UPDATE'] as const) {
      const body = configMapReview(75_000, op);
      const runs: Array<{ ms: number; status: number }> = [];
      for (let i = 0; i < 3; i++) runs.push(await post(s, '/validate', body, agent));
      runs.sort((a, b) => a.ms - b.ms);
      const r = runs[1]!;
      console.log(`  75,000-key ConfigMap (${(body.length / 1048576).toFixed(2)} MB) ${op}: ${r.ms.toFixed(0)} ms (median of 3), HTTP ${r.status}; ${(r.ms / baseline.ms).toFixed(0)}x the 64-key baseline`);
    }
  });
  const MAX = 6 * 1024 * 1024 - 4096;
  for (const [name, body] of [['one 6 MiB value', bigValue(MAX)], ['empty-object bomb', emptyObjectBomb(MAX)]] as const) {
    for (const n of [1, 2, 4, 8]) {
      await withServer(async (s, agent) => {
        await post(s, '/validate', small, agent);
        const health: number[] = [];
        let running = true;
        const probeAgent = new https.Agent({ keepAlive: true, ca: s.ca, maxSockets: 1 });
        const probe = (async () => {
          while (running) health.push((await post(s, '/healthz', '', probeAgent)).ms);
        })();
        const results = await Promise.all(Array.from({ length: n }, () => post(s, '/validate', body, agent)));
        running = false;
        await probe;
        probeAgent.destroy();
        const mem = await rss(s.proc.pid!);
        health.sort((a, b) => a - b);
        const statuses = [...new Set(results.map((r) => r.status))].join('/');
        console.log(`  ${name} x${n} (${(body.length / 1048576).toFixed(2)} MB each): HTTP ${statuses}, slowest ${Math.max(...results.map((r) => r.ms)).toFixed(0)} ms; peak RSS ${mem.peak.toFixed(0)} MiB = ${(mem.peak / baseline.rss.peak).toFixed(2)}x the baseline peak, ${((mem.peak / PROD_MEMORY_LIMIT_MIB) * 100).toFixed(0)}% of the ${PROD_MEMORY_LIMIT_MIB}Mi prod limit; /healthz meanwhile: ${health.length} answers, worst ${health.at(-1)?.toFixed(0) ?? '-'} ms`);
      });
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
