/**
 * Sidecar injection through the real apiserver: what kubectl users get back when they create pods
 * that opt in (by annotation or namespace label), don't opt in, belong to a Job, carry a bad
 * annotation, reach across tenants or reference ConfigMaps that don't exist, and what a
 * server-side dry-run returns.
 */
import assert from 'node:assert/strict';
import { testCluster } from './harness/env.js';
import { eventually, pod, webhookWithNamespaces } from './harness/fixtures.js';

const INJECT = { 'bulwark.dev/inject': 'true' };

/** The names of a pod's init containers and containers. */
function names(p: any): { init: string[]; main: string[] } {
  return { init: (p.spec.initContainers ?? []).map((c: any) => c.name), main: p.spec.containers.map((c: any) => c.name) };
}

describe('e2e: sidecar injection (mutating webhook)', function () {
  this.timeout(60_000);
  before(async () => {
    await webhookWithNamespaces();
    const k = testCluster().kubectl;
    await k.ok(['-n', 'e2e-dev', 'create', 'configmap', 'app-config', '--from-literal=app.json={"server":{"port":8080}}']);
    await k.ok(['-n', 'e2e-inject', 'create', 'configmap', 'app-config', '--from-literal=app.json={"server":{"port":8080}}']);
  });

  it('injects an opted-in pod: init container, native sidecar, volume, mounts and status annotation', async () => {
    const k = testCluster().kubectl;
    const r = await k.create(pod('e2e-dev', 'opted-in', { ...INJECT, 'bulwark.dev/config.app.json': 'app-config' }), ['-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(names(got), { init: ['bulwark-init', 'bulwark-sidecar'], main: ['app'] });
    const sidecar = got.spec.initContainers.find((c: any) => c.name === 'bulwark-sidecar');
    assert.equal(sidecar.restartPolicy, 'Always', 'native sidecar (Kubernetes >= 1.29)');
    const volume = got.spec.volumes.find((v: any) => v.name === 'bulwark-files');
    assert.equal(volume?.emptyDir?.medium, 'Memory');
    assert.deepEqual(got.spec.containers[0].volumeMounts.find((m: any) => m.name === 'bulwark-files'), { name: 'bulwark-files', mountPath: '/bulwark', readOnly: true });
    assert.match(got.metadata.annotations['bulwark.dev/status'], /^injected; spec-sha256=[0-9a-f]{64}$/);
    // the stored object is the mutated one
    const stored = await k.getJson('pod', 'opted-in', 'e2e-dev');
    assert.deepEqual(names(stored).init, ['bulwark-init', 'bulwark-sidecar']);
    // the spec handed to the sidecar names the ConfigMap, and nothing secret
    const spec = JSON.parse(stored.spec.initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC').value);
    assert.deepEqual(spec.files.map((f: any) => [f.name, f.sources[0].path]), [['app.json', 'configmap/app-config']]);
  });

  it('leaves a pod that does not opt in untouched', async () => {
    const k = testCluster().kubectl;
    for (const [ns, ann] of [['e2e-dev', {}], ['e2e-plain', { 'bulwark.dev/config.app.json': 'app-config' }], ['e2e-inject', { 'bulwark.dev/inject': 'false', 'bulwark.dev/config.app.json': 'app-config' }]] as const) {
      const r = await k.create(pod(ns, 'not-opted-in', { ...ann }), ['-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout);
      assert.equal(got.spec.initContainers, undefined, `${ns} pod was injected`);
      assert.equal(got.metadata.annotations?.['bulwark.dev/status'], undefined);
    }
  });

  it('injects every pod of a namespace labelled bulwark.dev/inject=enabled', async () => {
    const r = await testCluster().kubectl.create(pod('e2e-inject', 'by-namespace', { 'bulwark.dev/config.app.json': 'app-config' }), ['-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(JSON.parse(r.stdout)).init, ['bulwark-init', 'bulwark-sidecar']);
  });

  it("gives a Job's pod only the init container (files written once, the Job can complete)", async () => {
    const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: '6f1c1a52-7c55-4c1e-9d1e-2b1a3f2c9e01', controller: true };
    const p = pod('e2e-dev', 'migrate-x7k2p', { ...INJECT, 'bulwark.dev/config.app.json': 'app-config' }, { metadata: { ownerReferences: [owner] }, spec: { restartPolicy: 'Never' } });
    const r = await testCluster().kubectl.create(p, ['-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(names(got), { init: ['bulwark-init'], main: ['app'] });
    assert.equal(JSON.parse(got.spec.initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC').value).initOnly, true);
  });

  it("rejects an invalid annotation, and kubectl shows Bulwark's message naming it", async () => {
    const r = await testCluster().kubectl.create(pod('e2e-dev', 'bad-annotation', { ...INJECT, 'bulwark.dev/config.app.json': 'app-config', 'bulwark.dev/refresh': 'often' }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "inject-annotated\.bulwark\.dev" denied the request/);
    assert.match(r.stderr, /bulwark\.dev\/refresh/);
    assert.equal(await testCluster().kubectl.getJson('pod', 'bad-annotation', 'e2e-dev'), undefined);
  });

  it('rejects a secret reference outside the tenant\'s store prefixes', async () => {
    const r = await testCluster().kubectl.create(pod('e2e-dev', 'cross-tenant', { ...INJECT, 'bulwark.dev/secret.db': 'vault:secret/data/team-b/db#password' }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied the request/);
    assert.match(r.stderr, /secret\/data\/team-b\/db/);
    assert.match(r.stderr, /outside the prefixes/);
    const ok = await testCluster().kubectl.create(pod('e2e-dev', 'own-tenant', { ...INJECT, 'bulwark.dev/secret.db': 'vault:secret/data/team-a/db#password' }), ['--dry-run=server']);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('warns through kubectl when an annotation names a ConfigMap that does not exist', async () => {
    const r = await testCluster().kubectl.create(pod('e2e-dev', 'missing-annotated', { ...INJECT, 'bulwark.dev/config.app.json': 'nowhere' }), ['--dry-run=server']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: .*ConfigMap e2e-dev\/nowhere does not exist/);
  });

  it('rejects a pod whose volume references a ConfigMap that does not exist (references rule)', async () => {
    const p = pod('e2e-dev', 'missing-volume', {}, { spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], volumes: [{ name: 'cfg', configMap: { name: 'gone' } }] } });
    const r = await testCluster().kubectl.create(p);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "workloads\.bulwark\.dev" denied the request/);
    assert.match(r.stderr, /ConfigMap e2e-dev\/gone, which does not exist/);
    // once the ConfigMap exists the same pod is admitted
    await testCluster().kubectl.ok(['-n', 'e2e-dev', 'create', 'configmap', 'gone', '--from-literal=a=b']);
    await eventually(async () => {
      const again = await testCluster().kubectl.create(p, ['--dry-run=server']);
      assert.equal(again.code, 0, again.stderr);
    });
  });

  it('mutates a server-side dry-run the same way and leaves no trace', async () => {
    const k = testCluster().kubectl;
    const p = pod('e2e-dev', 'dry-run', { ...INJECT, 'bulwark.dev/config.app.json': 'app-config' });
    const dry = await k.create(p, ['--dry-run=server', '-o', 'json']);
    assert.equal(dry.code, 0, dry.stderr);
    const got = JSON.parse(dry.stdout);
    assert.equal(await k.getJson('pod', 'dry-run', 'e2e-dev'), undefined, 'the dry-run pod was stored');
    const real = JSON.parse(await k.ok(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(p) }));
    assert.deepEqual(got.spec.initContainers, real.spec.initContainers);
    assert.deepEqual(got.spec.volumes, real.spec.volumes);
    assert.equal(got.metadata.annotations['bulwark.dev/status'], real.metadata.annotations['bulwark.dev/status']);
  });
});
