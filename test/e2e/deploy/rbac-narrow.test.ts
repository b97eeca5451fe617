/**
 * Least privilege against the real kube-apiserver. The sidecar: `bulwark rbac` (the compiled CLI)
 * generates the Roles of two Deployments from their annotations, they are applied, and
 * SubjectAccessReviews check what each app's ServiceAccount may do; then the real kubernetes provider
 * and restart step run as that ServiceAccount (impersonated), so the verbs the code really sends are
 * the ones the Role grants. The webhook: the rights of deploy/base's ClusterRole, and its caches
 * started as its ServiceAccount, with Namespaces and Pods received metadata-only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { isSidecarError } from '../../../sidecar/errors.js';
import { createKubernetesProvider } from '../../../sidecar/providers/kubernetes.js';
import { RESTARTED_AT, restartOwner } from '../../../sidecar/reload/restart.js';
import { KubeClusterState } from '../../../webhook/cluster/kube-state.js';
import { metadataListOptions, metadataWatchConfig } from '../../../webhook/cluster/metadata-only.js';
import { silentLogger } from '../../../webhook/log.js';
import { waitFor } from '../../sample-app/control.js';
import { testCluster } from '../harness/env.js';
import { repoPath } from '../harness/paths.js';
import { allowed, rowTitle, serviceAccount, type Row } from './rbac-sar.js';

const NS = 'narrow-app';
const OTHER_NS = 'narrow-other';
const WEB = serviceAccount(NS, 'web');
const QUIET = serviceAccount(NS, 'quiet');
const WEBHOOK = serviceAccount('bulwark-system', 'bulwark-webhook');
const run = promisify(execFile);

/** A Deployment whose pods opt into injection with the given annotations. */
function deployment(name: string, sa: string, annotations: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: { 'bulwark.dev/inject': 'true', ...annotations } }, spec: { serviceAccountName: sa, containers: [{ name: 'app', image: 'example/app:1' }] } },
    },
  };
}

const WORKLOADS = [
  deployment('web', 'web', { 'bulwark.dev/secret.db': 'kubernetes:secret/db#password', 'bulwark.dev/config.app.yaml': 'kubernetes:configmap/settings', 'bulwark.dev/reload': 'restart' }),
  deployment('quiet', 'quiet', { 'bulwark.dev/secret.db': 'kubernetes:secret/db', 'bulwark.dev/reload': 'none' }),
];

const rows: Row[] = [
  // web: its Secret and ConfigMap by name, get and watch (the provider's GET and fieldSelector watch)
  { user: WEB, verb: 'get', resource: 'secrets', namespace: NS, name: 'db', want: true },
  { user: WEB, verb: 'watch', resource: 'secrets', namespace: NS, name: 'db', want: true },
  { user: WEB, verb: 'get', resource: 'configmaps', namespace: NS, name: 'settings', want: true },
  { user: WEB, verb: 'watch', resource: 'configmaps', namespace: NS, name: 'settings', want: true },
  // ... and nothing else of the namespace's Secrets
  { user: WEB, verb: 'list', resource: 'secrets', namespace: NS, want: false },
  { user: WEB, verb: 'watch', resource: 'secrets', namespace: NS, want: false },
  { user: WEB, verb: 'list', resource: 'secrets', namespace: NS, name: 'db', want: false },
  { user: WEB, verb: 'get', resource: 'secrets', namespace: NS, name: 'other', want: false },
  { user: WEB, verb: 'watch', resource: 'secrets', namespace: NS, name: 'other', want: false },
  { user: WEB, verb: 'get', resource: 'configmaps', namespace: NS, name: 'other', want: false },
  { user: WEB, verb: 'update', resource: 'secrets', namespace: NS, name: 'db', want: false },
  { user: WEB, verb: 'get', resource: 'secrets', namespace: OTHER_NS, name: 'db', want: false },
  // restart is configured: patch its own Deployment, no other, no read of workloads
  { user: WEB, verb: 'patch', resource: 'apps/deployments', namespace: NS, name: 'web', want: true },
  { user: WEB, verb: 'patch', resource: 'apps/deployments', namespace: NS, name: 'quiet', want: false },
  { user: WEB, verb: 'patch', resource: 'apps/deployments', namespace: NS, want: false },
  { user: WEB, verb: 'get', resource: 'apps/deployments', namespace: NS, name: 'web', want: false },
  { user: WEB, verb: 'delete', resource: 'apps/deployments', namespace: NS, name: 'web', want: false },
  { user: WEB, verb: 'patch', resource: 'apps/statefulsets', namespace: NS, name: 'web', want: false },
  { user: WEB, verb: 'get', resource: 'apps/replicasets', namespace: NS, want: false },
  { user: WEB, verb: 'patch', resource: 'apps/deployments', namespace: OTHER_NS, name: 'web', want: false },
  // quiet: the same Secret, no restart: no workload rights at all
  { user: QUIET, verb: 'get', resource: 'secrets', namespace: NS, name: 'db', want: true },
  { user: QUIET, verb: 'get', resource: 'configmaps', namespace: NS, name: 'settings', want: false },
  { user: QUIET, verb: 'patch', resource: 'apps/deployments', namespace: NS, name: 'quiet', want: false },
  // the webhook (deploy/base): metadata-only caches need list/watch, never get of a pod
  { user: WEBHOOK, verb: 'list', resource: 'pods', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'pods', want: true },
  { user: WEBHOOK, verb: 'get', resource: 'pods', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'list', resource: 'namespaces', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'namespaces', want: true },
  // content caches of ConfigMaps and Secrets, and the drift scan's GET
  { user: WEBHOOK, verb: 'list', resource: 'secrets', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'configmaps', want: true },
  { user: WEBHOOK, verb: 'get', resource: 'secrets', namespace: NS, name: 'db', want: true },
  { user: WEBHOOK, verb: 'update', resource: 'secrets', namespace: NS, name: 'db', want: false },
  // documents through informers only; leases get/create/update in its namespace only
  { user: WEBHOOK, verb: 'list', resource: 'bulwark.dev/tenants', want: true },
  { user: WEBHOOK, verb: 'get', resource: 'bulwark.dev/configpolicies', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'get', resource: 'coordination.k8s.io/leases', namespace: 'bulwark-system', name: 'bulwark-controllers', want: true },
  { user: WEBHOOK, verb: 'update', resource: 'coordination.k8s.io/leases', namespace: 'bulwark-system', name: 'bulwark-controllers', want: true },
  { user: WEBHOOK, verb: 'list', resource: 'coordination.k8s.io/leases', namespace: 'bulwark-system', want: false },
  { user: WEBHOOK, verb: 'patch', resource: 'coordination.k8s.io/leases', namespace: 'bulwark-system', name: 'bulwark-controllers', want: false },
  { user: WEBHOOK, verb: 'delete', resource: 'coordination.k8s.io/leases', namespace: 'bulwark-system', name: 'bulwark-controllers', want: false },
];

describe('deploy: least-privilege RBAC of the sidecar (bulwark rbac) and the webhook', function () {
  this.timeout(120_000);
  let dir = '';
  let generated: Array<Record<string, any>> = [];
  let stderr = '';
  const savedKubeconfig = process.env.KUBECONFIG;

  /** Writes a kubeconfig that impersonates `user` with the test cluster's admin credentials. */
  async function kubeconfigAs(user: string, file: string): Promise<string> {
    const cfg = parse(await readFile(testCluster().kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
    cfg.users[0]!.user.as = user;
    await writeFile(join(dir, file), stringify(cfg), { mode: 0o600 });
    return join(dir, file);
  }

  /** Runs fn with KUBECONFIG pointing at an impersonating kubeconfig (the sidecar code loads the default config). */
  async function asUser<T>(user: string, fn: () => Promise<T>): Promise<T> {
    process.env.KUBECONFIG = await kubeconfigAs(user, 'as-sidecar.yaml');
    try {
      return await fn();
    } finally {
      if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = savedKubeconfig;
    }
  }

  before(async () => {
    const k = testCluster().kubectl;
    dir = await mkdtemp(join(tmpdir(), 'bulwark-rbac-'));
    await writeFile(join(dir, 'workloads.yaml'), WORKLOADS.map((w) => stringify(w)).join('---\n'));
    const policies = join(dir, 'policies');
    await mkdir(policies);
    const out = await run(process.execPath, [repoPath('dist/webhook/cli.js'), 'rbac', '--policies', policies, join(dir, 'workloads.yaml')]);
    stderr = out.stderr;
    generated = parseAllDocuments(out.stdout).map((d) => d.toJS() as Record<string, any>);
    for (const ns of [NS, OTHER_NS]) await k.ok(['create', 'namespace', ns]);
    for (const sa of ['web', 'quiet']) await k.ok(['-n', NS, 'create', 'serviceaccount', sa]);
    await k.ok(['-n', NS, 'create', 'secret', 'generic', 'db', '--from-literal=password=e2e-only']);
    await k.ok(['-n', NS, 'create', 'secret', 'generic', 'other', '--from-literal=token=e2e-only']);
    await k.ok(['-n', NS, 'create', 'configmap', 'settings', '--from-literal=app.yaml=greeting: hello']);
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...WORKLOADS, ...generated] }) });
  });
  after(async () => {
    const k = testCluster().kubectl;
    for (const ns of [NS, OTHER_NS]) await k.run(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bulwark rbac generated one Role + RoleBinding per Deployment, restricted by resourceNames', () => {
    assert.deepEqual(generated.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), [
      'Role narrow-app/bulwark-sidecar-deployment-web',
      'RoleBinding narrow-app/bulwark-sidecar-deployment-web',
      'Role narrow-app/bulwark-sidecar-deployment-quiet',
      'RoleBinding narrow-app/bulwark-sidecar-deployment-quiet',
    ]);
    assert.deepEqual(generated[0]!.rules, [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'watch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
    ]);
    assert.deepEqual(generated[3]!.subjects, [{ kind: 'ServiceAccount', name: 'quiet', namespace: NS }]);
    assert.doesNotMatch(stderr, /e2e-only/, 'no Secret value in the notes');
  });

  for (const row of rows) {
    it(rowTitle(row), async () => {
      assert.equal(await allowed(row), row.want);
    });
  }

  it('the kubernetes provider, as web: reads and watches its Secret by name; another Secret is DENIED', async () => {
    await asUser(WEB, async () => {
      const provider = await createKubernetesProvider({ storeName: 'kubernetes', store: { provider: 'kubernetes' }, namespace: NS });
      assert.deepEqual(Object.keys((await provider.read({ store: 'kubernetes', path: 'secret/db' })).value), ['password']);
      assert.ok((await provider.read({ store: 'kubernetes', path: 'configmap/settings' })).value);
      await assert.rejects(provider.read({ store: 'kubernetes', path: 'secret/other' }), (e: unknown) => isSidecarError(e, 'DENIED'));
      let changes = 0;
      const abort = new AbortController();
      provider.watch!({ store: 'kubernetes', path: 'secret/db' }, () => changes++, abort.signal);
      try {
        await waitFor(() => changes >= 1, 10_000, 'the initial watch event (a watch by fieldSelector metadata.name, allowed by resourceNames)');
        const before = changes;
        await testCluster().kubectl.ok(['-n', NS, 'patch', 'secret', 'db', '-p', JSON.stringify({ stringData: { password: 'e2e-only-rotated' } })]);
        await waitFor(() => changes > before, 10_000, 'a MODIFIED event of the watch');
      } finally {
        abort.abort();
      }
    });
  });

  it('the restart step, as web: finds its Deployment from the ReplicaSet name it may not read, and patches only that', async () => {
    const k = testCluster().kubectl;
    const dep = JSON.parse(await k.ok(['-n', NS, 'get', 'deployment', 'web', '-o', 'json'])) as { metadata: { uid: string }; spec: { template: unknown } };
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d8c7b9f4', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid, controller: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: dep.spec.template },
    };
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(rs) });
    await asUser(WEB, async () => {
      assert.equal(await restartOwner(NS, { kind: 'ReplicaSet', name: 'web-5d8c7b9f4' }, 'content-1'), 'Deployment/web');
      await assert.rejects(restartOwner(NS, { kind: 'Deployment', name: 'quiet' }, 'content-1'), (e: unknown) => isSidecarError(e, 'RELOAD_FAILED') && /quiet/.test((e as Error).message));
    });
    const annotations = async (name: string) => (JSON.parse(await k.ok(['-n', NS, 'get', 'deployment', name, '-o', 'json'])) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata.annotations ?? {};
    assert.equal((await annotations('web'))[RESTARTED_AT], 'content-1');
    assert.equal((await annotations('quiet'))[RESTARTED_AT], undefined);
    await asUser(QUIET, async () => {
      await assert.rejects(restartOwner(NS, { kind: 'Deployment', name: 'quiet' }, 'content-2'), (e: unknown) => isSidecarError(e, 'RELOAD_FAILED'));
    });
  });

  it('the webhook caches sync as the webhook ServiceAccount, with namespace labels and injected pods from metadata alone', async () => {
    const k = testCluster().kubectl;
    await k.ok(['label', 'namespace', NS, 'bulwark.dev/environment=dev']);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'injected', namespace: NS, annotations: { 'bulwark.dev/status': 'injected; spec-sha256=e2e' } },
      spec: { serviceAccountName: 'web', automountServiceAccountToken: false, containers: [{ name: 'app', image: 'example/app:1', env: [{ name: 'NOT_METADATA', value: 'e2e-only' }] }] },
    };
    // created, not applied: kubectl apply would copy the whole pod, env values included, into the
    // last-applied-configuration annotation, which metadata-only answers still carry
    await k.ok(['create', '-f', '-'], { input: JSON.stringify(pod) });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(await kubeconfigAs(WEBHOOK, 'as-webhook.yaml'));
    const state = new KubeClusterState(kc, silentLogger);
    try {
      void state.start();
      await waitFor(() => state.synced(), 30_000, 'the first list of every cache (a missing right keeps one from syncing)');
      await waitFor(() => state.namespace(NS)?.labels['bulwark.dev/environment'] === 'dev' && state.injectedPods(NS) === 1, 10_000, 'namespace labels and the injected pod in the caches');
      assert.deepEqual(state.object('Secret', NS, 'db')?.keys, ['password']);
    } finally {
      state.stop();
    }
  });

  it('metadata-only lists and watches answer PartialObjectMetadata, without the pod spec', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(testCluster().kubeconfig);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: NS }, metadataListOptions());
    const item = list.items.find((p) => p.metadata?.name === 'injected') as unknown as Record<string, unknown>;
    assert.equal(item.kind, 'PartialObjectMetadata');
    assert.equal(item.spec, undefined);
    const events: Array<Record<string, unknown>> = [];
    const req = await new k8s.Watch(metadataWatchConfig(kc)).watch(`/api/v1/namespaces/${NS}/pods`, { timeoutSeconds: 5 }, (_type, obj: Record<string, unknown>) => events.push(obj), () => undefined);
    try {
      await waitFor(() => events.length > 0, 10_000, 'a watch event');
    } finally {
      req.abort();
    }
    assert.equal(events[0]!.kind, 'PartialObjectMetadata');
    assert.equal(events[0]!.apiVersion, 'meta.k8s.io/v1');
    assert.equal(events[0]!.spec, undefined);
    assert.doesNotMatch(JSON.stringify(events), /e2e-only/);
  });
});
