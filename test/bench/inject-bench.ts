/**
 * Benchmark: the cost of building the injection patch for a typical pod (two containers, three files
 * from two stores, a template, a signal reload), through the whole pure pipeline including spec
 * validation and hashing. Run: node dist/test/bench/inject-bench.js [iterations]
 */
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../webhook/admission/types.js';
import { resolveOptions } from '../../webhook/config/options.js';
import type { InjectContext } from '../../webhook/inject/context.js';
import { injectPod } from '../../webhook/inject/inject-pod.js';
import { BULWARK_API_VERSION, emptyDocumentSet } from '../../webhook/policy/documents.js';

/** A pod as a Deployment's ReplicaSet creates it, opted in with typical annotations. */
function typicalPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-7d4b9c-',
      namespace: 'shop',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'u', controller: true }],
      annotations: {
        'bulwark.dev/inject': 'true',
        'bulwark.dev/secret.db-password': 'vault:kv/data/shop/db#password',
        'bulwark.dev/secret.db-url': 'vault:kv/data/shop/db',
        'bulwark.dev/template.db-url': 'postgres://{{username}}:{{password}}@db:5432/shop',
        'bulwark.dev/config.app.yaml': 'app-base#app.yaml, app-prod#app.yaml',
        'bulwark.dev/reload': 'signal:SIGHUP:nginx, restart',
        'bulwark.dev/refresh': '2m',
      },
    },
    spec: {
      containers: [
        { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'cache', mountPath: '/var/cache/nginx' }] },
        { name: 'exporter', image: 'nginx-exporter:1.1' },
      ],
      volumes: [{ name: 'cache', emptyDir: {} }],
      serviceAccountName: 'web',
    },
  };
}

function context(): InjectContext {
  const docs = emptyDocumentSet();
  docs.clusterStores.set('vault', {
    apiVersion: BULWARK_API_VERSION,
    kind: 'ClusterSecretStore',
    metadata: { name: 'vault' },
    spec: { provider: 'vault', address: 'https://vault.vault.svc:8200', kvVersion: 2, auth: { method: 'kubernetes', role: 'shop' } },
  });
  return {
    namespace: 'shop',
    namespaceInfo: { name: 'shop', labels: {}, annotations: {} },
    options: resolveOptions({}, {}),
    docs,
    serverVersion: { major: 1, minor: 30 },
    operation: 'CREATE',
  };
}

function main(): void {
  const iterations = Number(process.argv[2] ?? 20000);
  const pod = typicalPod();
  const ctx = context();
  const first = injectPod(pod, ctx);
  if (first.result !== 'injected') throw new Error(`the typical pod was not injected: ${JSON.stringify(first)}`);
  for (let i = 0; i < 2000; i++) injectPod(pod, ctx); // warm up the JIT
  const rounds: number[] = [];
  const cpuRounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) injectPod(pod, ctx);
    rounds.push(((performance.now() - t0) * 1000) / iterations);
    const c = process.cpuUsage(c0);
    cpuRounds.push((c.user + c.system) / iterations);
  }
  rounds.sort((a, b) => a - b);
  cpuRounds.sort((a, b) => a - b);
  const median = rounds[2]!;
  console.log(`inject-bench: typical pod (2 containers, 3 files, template, signal reload), ${first.patch.length} patch operations`);
  console.log(`inject-bench: ${iterations} iterations x 5 rounds on node ${process.version}`);
  console.log(`inject-bench: median ${median.toFixed(1)} µs/pod (best ${rounds[0]!.toFixed(1)}, worst ${rounds[4]!.toFixed(1)}); target < 100 µs/pod`);
  console.log(`inject-bench: CPU time median ${cpuRounds[2]!.toFixed(1)} µs/pod (best ${cpuRounds[0]!.toFixed(1)}); wall time includes waiting for a shared CPU`);
}

main();
