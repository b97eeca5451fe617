/**
 * The injection handler: which requests it touches, opt-in by annotation and namespace label,
 * excluded namespaces, idempotency under reinvocation and on UPDATE, native sidecar detection,
 * decisions built with the response helpers, and bulwark_injections_total.
 */
import assert from 'node:assert/strict';
import type { AdmissionRequest, Decision, KubeObject } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { createMetrics, type WebhookMetrics } from '../../../webhook/metrics.js';
import { createInjectionHandler } from '../../../webhook/inject/handler.js';
import type { ServerOptions } from '../../../webhook/config/options.js';
import { applyPatch, container, docs, options, pod, state } from './fixtures.js';

const SECRET = { 'bulwark.dev/secret.db': 'vault:kv/app#password' };

function request(object: KubeObject | null, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'uid-1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'team-b',
    userInfo: { username: 'alice' },
    object,
    ...over,
  };
}

async function count(metrics: WebhookMetrics, namespace: string, result: string): Promise<number> {
  const m = await metrics.injections.get();
  return m.values.find((v) => v.labels.namespace === namespace && v.labels.result === result)?.value ?? 0;
}

function setup(opts: Partial<ServerOptions> = {}, version: { major: number; minor: number } | undefined = { major: 1, minor: 30 }) {
  const metrics = createMetrics({ processMetrics: false });
  const handler = createInjectionHandler({ options: options(opts), docs: () => docs(), state: state(version), metrics });
  const run = (req: AdmissionRequest) => handler.handle(req) as Decision;
  return { metrics, handler, run };
}

describe('inject/handler: which requests are touched', () => {
  const rows = [
    { name: 'a ConfigMap is allowed untouched', req: request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), { kind: { group: '', version: 'v1', kind: 'ConfigMap' } }) },
    { name: 'a Pod DELETE is allowed untouched', req: request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), { operation: 'DELETE' }) },
    { name: 'a Pod subresource is allowed untouched', req: request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), { subResource: 'status' }) },
    { name: 'a Pod of another group is allowed untouched', req: request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), { kind: { group: 'example.com', version: 'v1', kind: 'Pod' } }) },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const { run, metrics } = setup();
      assert.deepEqual(run(row.req), { allowed: true });
      assert.equal((await metrics.injections.get()).values.length, 0);
    });
  }
});

describe('inject/handler: opt-in', () => {
  const rows = [
    { name: 'annotation "true" in a namespace without the label', ns: 'team-b', ann: { 'bulwark.dev/inject': 'true', ...SECRET }, want: 'injected' },
    { name: 'namespace label enabled, no pod annotation', ns: 'team-a', ann: SECRET, want: 'injected' },
    { name: 'namespace label enabled, pod opts out', ns: 'team-a', ann: { 'bulwark.dev/inject': 'false', ...SECRET }, want: 'skipped' },
    { name: 'no label, no annotation', ns: 'team-b', ann: SECRET, want: 'skipped' },
    { name: 'kube-system is never injected', ns: 'kube-system', ann: { 'bulwark.dev/inject': 'true', ...SECRET }, want: 'skipped' },
    { name: 'kube-public is never injected', ns: 'kube-public', ann: { 'bulwark.dev/inject': 'true', ...SECRET }, want: 'skipped' },
    { name: "Bulwark's own namespace is never injected", ns: 'bulwark-system', ann: { 'bulwark.dev/inject': 'true', ...SECRET }, want: 'skipped' },
    { name: 'an unknown namespace without metadata, annotation "true"', ns: 'new-ns', ann: { 'bulwark.dev/inject': 'true', ...SECRET }, want: 'injected' },
  ];
  for (const row of rows) {
    it(`${row.name} → ${row.want}`, async () => {
      const { run, metrics } = setup();
      const d = run(request(pod(row.ann), { namespace: row.ns }));
      assert.equal(d.allowed, true);
      assert.equal(d.allowed && d.patch !== undefined, row.want === 'injected');
      // The namespace label is the namespace only when the cache knows it (state(): team-a, team-b, prod).
      assert.equal(await count(metrics, ['team-a', 'team-b', 'prod'].includes(row.ns) ? row.ns : '', row.want), 1);
    });
  }

  it('the namespace comes from the request when the object has none', () => {
    const { run } = setup();
    const d = run(request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), { namespace: 'team-b' }));
    assert.ok(d.allowed && d.patch);
    const patched = applyPatch(pod({ 'bulwark.dev/inject': 'true', ...SECRET }), d.allowed ? d.patch! : []);
    const spec = JSON.parse(container(patched, 'initContainers', 'bulwark-init')!.env[0].value);
    assert.equal(spec.pod.namespace, 'team-b');
  });
});

describe('inject/handler: idempotency', () => {
  it('reinvocation on the patched pod yields no patch (status annotation with the same hash)', async () => {
    const { run, metrics } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
    const first = run(request(original));
    assert.ok(first.allowed && first.patch);
    const injected = applyPatch(original, first.allowed ? first.patch! : []);
    assert.deepEqual(run(request(injected)), { allowed: true });
    assert.equal(await count(metrics, 'team-b', 'injected'), 1);
    assert.equal(await count(metrics, 'team-b', 'skipped'), 1);
  });

  it('reinvocation after another webhook added containers mounts the volume read-only into them, once', async () => {
    const { run, metrics } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
    const first = run(request(original));
    const injected = applyPatch(original, first.allowed ? first.patch! : []);
    // Another mutating webhook (a mesh, a log shipper) runs after Bulwark and adds containers.
    const spec = injected.spec as Record<string, any>;
    spec.containers.push({ name: 'mesh-proxy', image: 'proxy:1' }, { name: 'shipper', image: 'ship:1', volumeMounts: [{ name: 'logs', mountPath: '/var/log' }] });
    spec.initContainers.push({ name: 'mesh-init', image: 'proxy:1' });
    const again = run(request(injected));
    assert.ok(again.allowed && again.patch, JSON.stringify(again));
    assert.deepEqual(again.patch!.map((o) => [o.op, o.path]), [
      ['add', '/spec/initContainers/2/volumeMounts'],
      ['add', '/spec/containers/1/volumeMounts'],
      ['add', '/spec/containers/2/volumeMounts/-'],
    ]);
    const remounted = applyPatch(injected, again.patch!);
    const mount = { name: 'bulwark-files', mountPath: '/bulwark', readOnly: true };
    assert.deepEqual(container(remounted, 'containers', 'mesh-proxy')!.volumeMounts, [mount]);
    assert.deepEqual(container(remounted, 'containers', 'shipper')!.volumeMounts, [{ name: 'logs', mountPath: '/var/log' }, mount]);
    assert.deepEqual(container(remounted, 'initContainers', 'mesh-init')!.volumeMounts, [mount]);
    assert.deepEqual(container(remounted, 'containers', 'app')!.volumeMounts, [mount], 'the app keeps exactly one mount');
    assert.deepEqual(container(remounted, 'containers', 'bulwark-sidecar') ?? container(remounted, 'initContainers', 'bulwark-sidecar'), container(injected, 'containers', 'bulwark-sidecar') ?? container(injected, 'initContainers', 'bulwark-sidecar'), 'Bulwark containers untouched');
    assert.deepEqual(run(request(remounted)), { allowed: true }, 'a third invocation adds nothing');
    assert.equal(await count(metrics, 'team-b', 'remounted'), 1);
  });

  it('reinvocation leaves a container added later with its own volume at the mount path alone, with a warning', () => {
    const { run } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
    const first = run(request(original));
    const injected = applyPatch(original, first.allowed ? first.patch! : []);
    (injected.spec as Record<string, any>).containers.push({ name: 'other', image: 'o', volumeMounts: [{ name: 'x', mountPath: '/bulwark' }] });
    const again = run(request(injected));
    assert.ok(again.allowed && !again.patch);
    assert.match(again.warnings?.[0] ?? '', /container other, added after injection, already mounts a volume at \/bulwark/);
  });

  it('an injected pod whose annotations changed later is left alone with a warning', () => {
    const { run } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
    const first = run(request(original));
    const injected = applyPatch(original, first.allowed ? first.patch! : []);
    injected.metadata!.annotations!['bulwark.dev/refresh'] = '10m';
    const again = run(request(injected));
    assert.equal(again.allowed, true);
    assert.ok(again.allowed && !again.patch);
    assert.match(again.warnings![0]!, /injected with a different sidecar spec/);
  });

  it('a status annotation copied onto a pod without Bulwark containers does not stop injection', () => {
    const { run } = setup();
    const d = run(request(pod({ 'bulwark.dev/inject': 'true', ...SECRET, 'bulwark.dev/status': `injected; spec-sha256=${'0'.repeat(64)}` })));
    assert.ok(d.allowed && d.patch?.length);
  });

  it('UPDATE of an injected pod yields no patch', async () => {
    const { run, metrics } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
    const first = run(request(original));
    const injected = applyPatch(original, first.allowed ? first.patch! : []);
    assert.deepEqual(run(request(injected, { operation: 'UPDATE', oldObject: injected })), { allowed: true });
    assert.equal(await count(metrics, 'team-b', 'skipped'), 1);
  });

  it('the same pod gives the same patch every time (deterministic spec and hash)', () => {
    const { run } = setup();
    const a = run(request(pod({ 'bulwark.dev/inject': 'true', ...SECRET, 'bulwark.dev/config.z': 'cm-z', 'bulwark.dev/config.a': 'cm-a' })));
    const b = run(request(pod({ 'bulwark.dev/config.a': 'cm-a', 'bulwark.dev/config.z': 'cm-z', ...SECRET, 'bulwark.dev/inject': 'true' })));
    assert.deepEqual(a, b);
  });
});

describe('inject/handler: native sidecar detection', () => {
  const rows = [
    { name: 'auto, server 1.30', opt: 'auto', version: { major: 1, minor: 30 }, native: true },
    { name: 'auto, server 1.29', opt: 'auto', version: { major: 1, minor: 29 }, native: true },
    { name: 'auto, server 1.28', opt: 'auto', version: { major: 1, minor: 28 }, native: false },
    { name: 'auto, server version unknown (assume native)', opt: 'auto', version: undefined, native: true },
    { name: 'forced false on 1.30', opt: 'false', version: { major: 1, minor: 30 }, native: false },
    { name: 'forced true on 1.27', opt: 'true', version: { major: 1, minor: 27 }, native: true },
  ] as const;
  for (const row of rows) {
    it(`${row.name} → ${row.native ? 'native' : 'classic'}`, () => {
      const { run } = setup({ nativeSidecar: row.opt }, row.version);
      const original = pod({ 'bulwark.dev/inject': 'true', ...SECRET });
      const d = run(request(original));
      const p = applyPatch(original, d.allowed ? d.patch! : []);
      assert.equal(container(p, 'initContainers', 'bulwark-sidecar')?.restartPolicy, row.native ? 'Always' : undefined);
      assert.equal(container(p, 'containers', 'bulwark-sidecar') !== undefined, !row.native);
    });
  }

  it('a Job pod may keep a native sidecar by setting init-only "false"', () => {
    const { run } = setup();
    const original = pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/init-only': 'false', ...SECRET }, undefined, { ownerReferences: [{ kind: 'Job', name: 'j' }] });
    const d = run(request(original));
    const p = applyPatch(original, d.allowed ? d.patch! : []);
    assert.equal(container(p, 'initContainers', 'bulwark-sidecar')?.restartPolicy, 'Always');
  });

  it('a Job pod without native sidecars stays init-only even with init-only "false", and says so', () => {
    const { run } = setup({ nativeSidecar: 'false' });
    const original = pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/init-only': 'false', ...SECRET }, undefined, { ownerReferences: [{ kind: 'Job', name: 'j' }] });
    const d = run(request(original));
    assert.ok(d.allowed && d.patch);
    const p = applyPatch(original, d.allowed ? d.patch! : []);
    assert.equal(container(p, 'containers', 'bulwark-sidecar'), undefined);
    assert.match(d.warnings![0]!, /init-only: "false" is overridden for this Job pod/);
  });
});

describe('inject/handler: denials and errors', () => {
  it('an invalid annotation is denied with 400 BadRequest and counted', async () => {
    const { run, metrics } = setup();
    const d = run(request(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'nostore' })));
    assert.deepEqual(d, {
      allowed: false,
      code: 400,
      reason: 'BadRequest',
      message: 'sidecar injection denied: bulwark.dev/secret.db: "nostore" has no store; use <store>:<path>[#<key>][@<version>], e.g. vault:kv/data/app#password',
    });
    assert.equal(await count(metrics, 'team-b', 'denied'), 1);
  });

  it('a request without an object is answered 400 and counted as an error', async () => {
    const { run, metrics } = setup();
    const d = run(request(null));
    assert.equal(d.allowed, false);
    assert.equal(!d.allowed && d.code, 400);
    assert.equal(await count(metrics, 'team-b', 'error'), 1);
  });

  it('an unexpected failure is answered 500 and counted as an error', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const handler = createInjectionHandler({ options: options(), docs: () => { throw new Error('boom'); }, state: state(), metrics });
    const d = handler.handle(request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }))) as Decision;
    assert.equal(d.allowed, false);
    assert.equal(!d.allowed && d.code, 500);
    assert.equal(!d.allowed && d.reason, 'InternalError');
    assert.equal(await count(metrics, 'team-b', 'error'), 1);
  });

  it('documents are read per request, so a store defined after startup is used at once', () => {
    let set = docs();
    set.clusterStores.delete('vault');
    const handler = createInjectionHandler({ options: options(), docs: () => set, state: state() });
    const req = request(pod({ 'bulwark.dev/inject': 'true', ...SECRET }));
    assert.equal((handler.handle(req) as Decision).allowed, false);
    set = docs();
    assert.equal((handler.handle(req) as Decision).allowed, true);
  });
});

describe('inject/handler: warnings from the object cache', () => {
  it('names ConfigMaps and keys that do not exist when the cache is authoritative; never blocks', () => {
    const s = new MemoryClusterState({ authoritative: true, serverVersion: { major: 1, minor: 30 } });
    s.upsert({ kind: 'Namespace', metadata: { name: 'team-b' } });
    s.upsert({ kind: 'ConfigMap', metadata: { name: 'app-base', namespace: 'team-b' }, data: { 'app.yaml': 'a: 1' } });
    s.upsert({ kind: 'Secret', metadata: { name: 'db', namespace: 'team-b' }, data: { password: 'c2VjcmV0' } });
    const handler = createInjectionHandler({ options: options(), docs: () => docs(), state: s });
    const d = handler.handle(
      request(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.yaml': 'app-base#app.yaml, app-missing, app-base#other', 'bulwark.dev/secret.pw': 'kubernetes:secret/db#password' }, { serviceAccountName: 'default', containers: [{ name: 'app', image: 'nginx' }] })),
    ) as Decision;
    assert.ok(d.allowed && d.patch);
    assert.deepEqual(d.warnings, [
      'bulwark.dev/config.app.yaml: ConfigMap team-b/app-missing does not exist; create it before the pod starts, or bulwark-init cannot write this file',
      'bulwark.dev/config.app.yaml: ConfigMap team-b/app-base has no key "other"',
    ]);
    assert.ok(!JSON.stringify(d).includes('c2VjcmV0'), 'no secret value in the decision');
  });
});
