/**
 * The permission matrix of the Helm chart's identities against the real kube-apiserver: the chart's
 * service account and RBAC are installed for real (release "guard" in namespace "guard-system"),
 * an application namespace binds the fallback sidecar ClusterRole to its service account, and every
 * row asks the apiserver with a SubjectAccessReview what that identity may and may not do. The
 * per-workload Roles of `bulwark rbac` have their own matrix in rbac-narrow.test.ts.
 */
import assert from 'node:assert/strict';
import { testCluster } from '../harness/env.js';
import { allowed, rowTitle, type Row } from './rbac-sar.js';
import { cleanupRender, renderChart } from '../../integration/deploy/render.js';
import { requireTool } from '../../integration/deploy/tools.js';

const NS = 'guard-system';
const APP_NS = 'guard-app';
const OTHER_NS = 'guard-other';
const WEBHOOK = `system:serviceaccount:${NS}:guard-bulwark-webhook`;
const SIDECAR = `system:serviceaccount:${APP_NS}:app`;
const UNBOUND = `system:serviceaccount:${OTHER_NS}:app`;
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

const rows: Row[] = [
  // webhook: read-only caches cluster-wide, leases only in its own namespace
  { user: WEBHOOK, verb: 'list', resource: 'namespaces', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'configmaps', want: true },
  { user: WEBHOOK, verb: 'list', resource: 'secrets', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'pods', namespace: APP_NS, want: true },
  { user: WEBHOOK, verb: 'list', resource: 'bulwark.dev/configpolicies', want: true },
  { user: WEBHOOK, verb: 'watch', resource: 'bulwark.dev/tenants', want: true },
  { user: WEBHOOK, verb: 'create', resource: 'coordination.k8s.io/leases', namespace: NS, want: true },
  { user: WEBHOOK, verb: 'update', resource: 'coordination.k8s.io/leases', namespace: NS, want: true },
  { user: WEBHOOK, verb: 'delete', resource: 'coordination.k8s.io/leases', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'create', resource: 'coordination.k8s.io/leases', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'create', resource: 'secrets', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'update', resource: 'configmaps', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'delete', resource: 'pods', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'patch', resource: 'apps/deployments', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'update', resource: 'bulwark.dev/configpolicies', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'update', resource: 'admissionregistration.k8s.io/validatingwebhookconfigurations', want: false },
  { user: WEBHOOK, verb: 'create', resource: 'rbac.authorization.k8s.io/rolebindings', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'create', resource: 'serviceaccounts/token', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'get', resource: 'nodes', want: false },
  // narrowed: metadata-only caches of pods need no get; documents are informers; leases get/create/update only
  { user: WEBHOOK, verb: 'get', resource: 'pods', namespace: APP_NS, want: false },
  { user: WEBHOOK, verb: 'get', resource: 'bulwark.dev/tenants', want: false },
  { user: WEBHOOK, verb: 'get', resource: 'secrets', namespace: APP_NS, want: true },
  { user: WEBHOOK, verb: 'get', resource: 'coordination.k8s.io/leases', namespace: NS, want: true },
  { user: WEBHOOK, verb: 'patch', resource: 'coordination.k8s.io/leases', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'watch', resource: 'coordination.k8s.io/leases', namespace: NS, want: false },
  { user: WEBHOOK, verb: 'create', resource: 'events', namespace: APP_NS, want: true },
  { user: WEBHOOK, verb: 'list', resource: 'events', namespace: APP_NS, want: false },
  // sidecar through the fallback ClusterRole, bound by a RoleBinding in its own namespace only
  { user: SIDECAR, verb: 'get', resource: 'secrets', namespace: APP_NS, want: true },
  { user: SIDECAR, verb: 'watch', resource: 'configmaps', namespace: APP_NS, want: true },
  { user: SIDECAR, verb: 'get', resource: 'apps/replicasets', namespace: APP_NS, want: true },
  { user: SIDECAR, verb: 'patch', resource: 'apps/deployments', namespace: APP_NS, want: true },
  { user: SIDECAR, verb: 'patch', resource: 'apps/statefulsets', namespace: APP_NS, want: true },
  { user: SIDECAR, verb: 'get', resource: 'secrets', namespace: OTHER_NS, want: false },
  { user: SIDECAR, verb: 'list', resource: 'secrets', want: false },
  { user: SIDECAR, verb: 'patch', resource: 'apps/deployments', namespace: OTHER_NS, want: false },
  { user: SIDECAR, verb: 'update', resource: 'secrets', namespace: APP_NS, want: false },
  { user: SIDECAR, verb: 'delete', resource: 'apps/deployments', namespace: APP_NS, want: false },
  { user: SIDECAR, verb: 'create', resource: 'pods', namespace: APP_NS, want: false },
  { user: SIDECAR, verb: 'patch', resource: 'apps/replicasets', namespace: APP_NS, want: false },
  { user: SIDECAR, verb: 'list', resource: 'namespaces', want: false },
  // the fallback never lists and reads nothing of the workloads it patches
  { user: SIDECAR, verb: 'list', resource: 'secrets', namespace: APP_NS, want: false },
  { user: SIDECAR, verb: 'get', resource: 'apps/deployments', namespace: APP_NS, want: false },
  // a namespace that did not opt in: the sidecar's service account gets nothing
  { user: UNBOUND, verb: 'get', resource: 'secrets', namespace: OTHER_NS, want: false },
  { user: UNBOUND, verb: 'patch', resource: 'apps/deployments', namespace: OTHER_NS, want: false },
];

describe('deploy: permission matrix of the chart identities (SubjectAccessReview)', function () {
  this.timeout(120_000);
  let clusterScoped: string[] = [];

  before(async function () {
    const helm = requireTool(this, 'helm');
    const k = testCluster().kubectl;
    const rbac = renderChart(helm, { release: 'guard', namespace: NS }).filter((o) => RBAC_KINDS.includes(o.kind));
    for (const ns of [NS, APP_NS, OTHER_NS]) await k.ok(['create', 'namespace', ns]);
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }) });
    clusterScoped = rbac.filter((o) => !o.metadata.namespace).map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`);
    for (const ns of [APP_NS, OTHER_NS]) await k.ok(['-n', ns, 'create', 'serviceaccount', 'app']);
    await k.ok(['-n', APP_NS, 'create', 'rolebinding', 'bulwark-sidecar', '--clusterrole=guard-bulwark-sidecar', `--serviceaccount=${APP_NS}:app`]);
  });
  after(async () => {
    cleanupRender();
    const k = testCluster().kubectl;
    for (const ns of [NS, APP_NS, OTHER_NS]) await k.run(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    if (clusterScoped.length) await k.run(['delete', ...clusterScoped, '--ignore-not-found']);
  });

  it('the chart created the identities and roles this matrix is about', async () => {
    const k = testCluster().kubectl;
    assert.ok(await k.getJson('serviceaccount', 'guard-bulwark-webhook', NS));
    assert.ok(await k.getJson('clusterrole', 'guard-bulwark-sidecar'));
    assert.ok(await k.getJson('role', 'guard-bulwark-leader-election', NS));
  });

  for (const row of rows) {
    it(rowTitle(row), async () => {
      assert.equal(await allowed(row), row.want);
    });
  }
});
