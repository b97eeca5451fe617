/**
 * Prints the cost of evaluating the default policy set (policies/) against a typical 10 KB ConfigMap
 * and a typical Pod, in microseconds per object. Run from the repository root:
 * node dist/test/bench/policy-bench.js
 */
import { join } from 'node:path';
import type { AdmissionRequest } from '../../webhook/admission/types.js';
import { MemoryClusterState } from '../../webhook/cluster/memory-state.js';
import { evaluate } from '../../webhook/policy/engine.js';
import { loadDirectory } from '../../webhook/policy/loader.js';
import { clearContentCache } from '../../webhook/policy/rules/schema/content.js';

function configMap(): Record<string, any> {
  const lines: string[] = ['server:', '  port: 8080', 'logLevel: info', 'features:'];
  for (let i = 0; lines.join('\n').length < 6000; i++) lines.push(`  feature_${i}: ${i % 2 === 0}`);
  const props: string[] = [];
  for (let i = 0; props.join('\n').length < 4000; i++) props.push(`app.setting.${i}=value-${i}`);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config-v3', namespace: 'shop-prod', labels: { 'bulwark.dev/managed': 'true' }, annotations: { 'bulwark.dev/schema': 'app.yaml=app-config' } },
    immutable: true,
    data: { 'app.yaml': lines.join('\n'), 'app.properties': props.join('\n') },
  };
}

function pod(): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop-prod', annotations: { 'bulwark.dev/secret.db': 'vault:db/creds#password@4', 'bulwark.dev/requires-config': 'app-config-v3>=3' } },
    spec: {
      containers: [
        { name: 'web', image: 'web:1', env: Array.from({ length: 12 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}` })), envFrom: [{ configMapRef: { name: 'app-config-v3' } }] },
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'app-config-v3', items: [{ key: 'app.yaml', path: 'app.yaml' }] } }],
    },
  };
}

function bench(name: string, req: AdmissionRequest, run: (r: AdmissionRequest) => unknown, iterations: number): void {
  for (let i = 0; i < 200; i++) run(req);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(req);
  const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  const size = Buffer.byteLength(JSON.stringify(req.object));
  console.log(`${name.padEnd(28)} ${String(size).padStart(6)} bytes  ${us.toFixed(1).padStart(8)} us/object  ${Math.round(1e6 / us)} objects/s`);
}

async function main(): Promise<void> {
  const { set, errors } = await loadDirectory(join(process.cwd(), 'policies'));
  if (errors.length) throw new Error(`policies/ has errors: ${errors.length}`);
  const state = new MemoryClusterState({ authoritative: true });
  state.upsert({ kind: 'Namespace', metadata: { name: 'shop-prod', labels: { 'bulwark.dev/environment': 'prod', 'bulwark.dev/tenant': 'shop' } } });
  const cm = configMap();
  state.upsert(cm);
  const mk = (object: Record<string, any>): AdmissionRequest => ({
    uid: 'bench',
    kind: { group: '', version: 'v1', kind: object.kind },
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    operation: 'CREATE',
    userInfo: {},
    object,
  });
  const run = (r: AdmissionRequest) => evaluate({ request: r, docs: set, state, ownNamespace: 'bulwark-system' });
  const check = run(mk(cm));
  console.log(`default set: ${set.policies.length} policies; ConfigMap findings: ${check.map((f) => `${f.rule}=${f.result}`).join(', ')}`);
  bench('ConfigMap 10 KB, cold parse', mk(cm), (r) => (clearContentCache(), run(r)), 300);
  bench('ConfigMap 10 KB, cached parse', mk(cm), run, 5000);
  const plain = { ...cm, metadata: { ...cm.metadata, annotations: {} } };
  bench('ConfigMap 10 KB, no schema', mk(plain), run, 5000);
  bench('Pod (prod)', mk(pod()), run, 20000);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
