/**
 * Benchmark: end-to-end admission latency of the real server over real TLS on loopback, with the
 * default policies and the real injection and validation handlers. Prints p50/p90/p99 latency,
 * throughput and the server's RSS. Bounded: a fixed number of requests, then it stops.
 * Run: node dist/test/bench/admission-bench.js [requests] [concurrency]
 */
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFileState } from '../../webhook/cluster/file-state.js';
import { generateCerts } from '../../webhook/certs/generate.js';
import { loadTlsDir, writeCertDir } from '../../webhook/certs/files.js';
import { resolveOptions } from '../../webhook/config/options.js';
import { createInjectionHandler } from '../../webhook/inject/handler.js';
import { silentLogger } from '../../webhook/log.js';
import { createMetrics } from '../../webhook/metrics.js';
import { loadDirectory } from '../../webhook/policy/loader.js';
import { createValidationHandler } from '../../webhook/policy/handler.js';
import { AdmissionServer } from '../../webhook/server/server.js';
import { admissionReview } from '../helpers/https.js';

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 8);

function post(agent: https.Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = https.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t) / 1e6));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pct(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
  const certs = generateCerts(['127.0.0.1']);
  await writeCertDir(dir, certs);
  const options = resolveOptions({ cluster: 'none' }, {});
  const { set } = await loadDirectory('policies');
  const state = await loadFileState('policies/namespaces.yaml', { major: 1, minor: 33 });
  const docs = () => set;
  const metrics = createMetrics();
  const server = new AdmissionServer({
    address: '127.0.0.1', port: 0, maxBodyBytes: 6 << 20, maxJsonDepth: 100, keepAliveTimeoutMs: 60_000, shutdownTimeoutMs: 5000,
    tls: await loadTlsDir(dir), logger: silentLogger, metrics, readiness: {},
    mutate: createInjectionHandler({ options, docs, state, metrics }),
    validate: createValidationHandler({ docs, state, ownNamespace: options.ownNamespace, metrics, options }),
  });
  const port = await server.listen();
  const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: certs.ca.certPem });
  const cases = {
    'mutate: opted-in pod': {
      path: '/mutate',
      body: JSON.stringify(admissionReview({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { generateName: 'web-', namespace: 'shop-dev', annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.yaml': 'app-base', 'bulwark.dev/reload': 'signal:SIGHUP' } },
        spec: { containers: [{ name: 'app', image: 'web:1' }, { name: 'proxy', image: 'envoy:1' }] },
      })),
    },
    'mutate: pod not opted in': {
      path: '/mutate',
      body: JSON.stringify(admissionReview({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', namespace: 'shop-dev' }, spec: { containers: [{ name: 'app', image: 'web:1' }] } })),
    },
    'validate: 4 KB ConfigMap (prod)': {
      path: '/validate',
      body: JSON.stringify(admissionReview({
        apiVersion: 'v1', kind: 'ConfigMap', immutable: true,
        metadata: { name: 'settings-v3', namespace: 'shop-prod', labels: { 'bulwark.dev/managed': 'true' } },
        data: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`KEY_${i}`, `value-${i}-${'x'.repeat(48)}`])),
      })),
    },
  };
  console.log(`admission over TLS on loopback: ${REQUESTS} requests per case, concurrency ${CONCURRENCY}`);
  for (const [name, c] of Object.entries(cases)) {
    const url = `https://127.0.0.1:${port}${c.path}`;
    for (let i = 0; i < 200; i++) await post(agent, url, c.body); // warm-up
    const lat: number[] = [];
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        lat.push(await post(agent, url, c.body));
      }
    }));
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    lat.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(32)} p50 ${pct(lat, 50)} ms  p90 ${pct(lat, 90)} ms  p99 ${pct(lat, 99)} ms  ${(REQUESTS / secs).toFixed(0)} req/s`);
  }
  const mem = process.memoryUsage();
  console.log(`  process RSS after the run: ${(mem.rss / 1048576).toFixed(1)} MiB (heap used ${(mem.heapUsed / 1048576).toFixed(1)} MiB; client and server share the process)`);
  agent.destroy();
  await server.shutdown();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
