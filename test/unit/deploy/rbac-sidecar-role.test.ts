/**
 * The per-workload Role of `bulwark rbac`, from plain objects: which rules a sidecar spec gives, the
 * restart target (a ReplicaSet's Deployment by name), the pod a workload manifest becomes, and the
 * whole path through the real injection code from annotations to rules.
 */
import assert from 'node:assert/strict';
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import { deploymentOfReplicaSet } from '../../../sidecar/reload/restart.js';
import type { KubeObject } from '../../../webhook/admission/types.js';
import { contextFromState } from '../../../webhook/inject/context.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { buildSidecarRbac, restartTargetOf, type WorkloadRef } from '../../../webhook/rbac/sidecar-role.js';
import { carriedSpec, podOfWorkload } from '../../../webhook/rbac/workload-pod.js';
import { specWith } from '../sidecar/fixtures.js';
import { docs, options, state } from '../inject/fixtures.js';

const K8S = { provider: 'kubernetes' as const };
const VAULT = { provider: 'vault' as const, address: 'https://vault:8200' };

/** A spec reading the given kubernetes paths (store "kubernetes") and vault paths (store "vault"). */
function spec(paths: string[], over: Partial<SidecarSpec> = {}, vaultPaths: string[] = []): SidecarSpec {
  return specWith({
    pod: { namespace: 'team-a', owner: { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' } },
    files: [
      { name: 'a', kind: 'secret', sources: [...paths.map((path) => ({ store: 'kubernetes', path })), ...vaultPaths.map((path) => ({ store: 'vault', path }))], format: 'json', mode: 0o400 },
    ],
    stores: { kubernetes: K8S, vault: VAULT },
    ...over,
  });
}

const rulesOf = (objects: Array<Record<string, any>>) => objects.find((o) => o.kind === 'Role')?.rules;
const DEPLOY: WorkloadRef = { kind: 'Deployment', name: 'web' };

describe('rbac: the sidecar Role built from a spec', () => {
  const rows: Array<{ name: string; spec: SidecarSpec; workload?: WorkloadRef; want: unknown[] | undefined }> = [
    {
      name: 'named Secrets and ConfigMaps, get and watch, deduplicated and sorted; other stores add nothing',
      spec: spec(['secret/db', 'configmap/settings', 'secrets/api', 'secret/db', 'configmaps/base'], {}, ['kv/data/x']),
      want: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['base', 'settings'], verbs: ['get', 'watch'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['api', 'db'], verbs: ['get', 'watch'] },
      ],
    },
    {
      name: 'restart adds patch on exactly the own Deployment',
      spec: spec(['secret/db'], { reload: [{ type: 'signal', signal: 'SIGHUP' }, { type: 'restart' }] }),
      want: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
      ],
    },
    {
      name: 'a StatefulSet is patched as a StatefulSet',
      spec: spec([], { reload: [{ type: 'restart' }] }),
      workload: { kind: 'StatefulSet', name: 'db' },
      want: [{ apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['db'], verbs: ['patch'] }],
    },
    {
      name: 'an injected pod is restarted through the Deployment its ReplicaSet name gives',
      spec: spec([], { reload: [{ type: 'restart' }] }),
      workload: { kind: 'Pod', name: 'web-7d9f8c6b5-x2x4z' },
      want: [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] }],
    },
    {
      name: 'init-only: get alone and never patch, even with restart in the chain',
      spec: spec(['secret/db'], { initOnly: true, reload: [{ type: 'restart' }] }),
      want: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] }],
    },
    { name: 'no kubernetes source and no restart: no Role', spec: spec([], {}, ['kv/data/x']), want: undefined },
    {
      name: 'restart for a pod no restartable workload owns: no workload rule',
      spec: spec(['secret/db'], { pod: { namespace: 'team-a' }, reload: [{ type: 'restart' }] }),
      workload: { kind: 'Pod', name: 'lonely' },
      want: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get', 'watch'] }],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = buildSidecarRbac({ spec: row.spec, serviceAccount: 'web', workload: row.workload ?? DEPLOY });
      assert.deepEqual(rulesOf(got.objects), row.want);
    });
  }

  it('binds the Role to the workload ServiceAccount in the pod namespace, under one name', () => {
    const { objects } = buildSidecarRbac({ spec: spec(['secret/db']), serviceAccount: 'web', workload: DEPLOY });
    assert.deepEqual(objects.map((o: Record<string, any>) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['Role team-a/bulwark-sidecar-deployment-web', 'RoleBinding team-a/bulwark-sidecar-deployment-web']);
    const binding = objects[1] as Record<string, any>;
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bulwark-sidecar-deployment-web' });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'web', namespace: 'team-a' }]);
  });

  it('notes a shared default ServiceAccount, a restart that cannot work, and a sidecar that needs no Role', () => {
    const shared = buildSidecarRbac({ spec: spec(['secret/db']), serviceAccount: 'default', workload: DEPLOY });
    assert.match(shared.notes.join('\n'), /runs as ServiceAccount default, .*give the workload its own ServiceAccount/);
    const lonely = buildSidecarRbac({ spec: spec([], { pod: { namespace: 'team-a' }, reload: [{ type: 'restart' }] }), serviceAccount: 'web', workload: { kind: 'Pod', name: 'p' } });
    assert.deepEqual(lonely.objects, []);
    assert.match(lonely.notes.join('\n'), /restart step will fail[\s\S]*needs no Role/);
  });
});

describe('rbac: restart targets', () => {
  const rows: Array<{ name: string; input: string | WorkloadRef | undefined; want: unknown }> = [
    { name: 'a Deployment-made ReplicaSet', input: 'web-7d9f8c6b5', want: 'web' },
    { name: 'a Deployment name with dashes', input: 'shop-api-v2-5c6b8d9f7', want: 'shop-api-v2' },
    { name: 'a name without a dash', input: 'web', want: undefined },
    { name: 'ReplicaSet owner -> its Deployment', input: { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' }, want: { kind: 'Deployment', name: 'web' } },
    { name: 'DaemonSet owner -> itself', input: { kind: 'DaemonSet', name: 'agent' }, want: { kind: 'DaemonSet', name: 'agent' } },
    { name: 'Job owner -> none', input: { kind: 'Job', name: 'migrate' }, want: undefined },
    { name: 'no owner -> none', input: undefined, want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(typeof row.input === 'string' ? deploymentOfReplicaSet(row.input) : restartTargetOf(row.input), row.want);
    });
  }
});

describe('rbac: from a workload manifest through the injection code', () => {
  const deployment = (annotations: Record<string, string>, sa?: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team-b' },
    spec: { template: { metadata: { annotations: { 'bulwark.dev/inject': 'true', ...annotations } }, spec: { ...(sa ? { serviceAccountName: sa } : {}), containers: [{ name: 'app', image: 'example/app:1' }] } } },
  });
  const generate = (obj: KubeObject) => {
    const wp = podOfWorkload(obj, 'default')!;
    const r = injectPod(wp.pod, contextFromState(state(), wp.namespace, options(), docs()));
    assert.equal(r.result, 'injected', JSON.stringify(r));
    if (r.result !== 'injected') throw new Error('not injected');
    return { wp, rbac: buildSidecarRbac({ spec: r.spec, serviceAccount: wp.serviceAccount, workload: wp.workload }) };
  };

  it('a Deployment with a kubernetes Secret, a ConfigMap chain, a vault secret and restart', () => {
    const { wp, rbac } = generate(deployment({ 'bulwark.dev/secret.db': 'kubernetes:secret/db#password', 'bulwark.dev/secret.api': 'vault:kv/data/team-b/api', 'bulwark.dev/config.app.yaml': 'app-base#app.yaml, app-prod#app.yaml', 'bulwark.dev/reload': 'restart' }, 'web'));
    assert.equal(wp.serviceAccount, 'web');
    assert.deepEqual(rulesOf(rbac.objects), [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-base', 'app-prod'], verbs: ['get', 'watch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
    ]);
  });

  it('a Job runs its sidecar init-only: get alone', () => {
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'team-b' }, spec: { template: { metadata: { annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'kubernetes:secret/db' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'x' }] } } } };
    const { wp, rbac } = generate(job);
    assert.equal(wp.serviceAccount, 'default');
    assert.equal((wp.pod.spec as Record<string, unknown>).serviceAccountName, 'default', 'as the ServiceAccount admission plugin sets it');
    assert.deepEqual(rulesOf(rbac.objects), [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] }]);
  });

  it('an injected pod is read from its own BULWARK_SPEC, nothing else in the pod counts', () => {
    const { wp } = generate(deployment({ 'bulwark.dev/secret.db': 'kubernetes:secret/db' }, 'web'));
    const r = injectPod(wp.pod, contextFromState(state(), wp.namespace, options(), docs()));
    if (r.result !== 'injected') throw new Error('not injected');
    const specJson = JSON.stringify(r.spec);
    const injected: KubeObject = {
      kind: 'Pod',
      metadata: { name: 'web-1' },
      spec: { initContainers: [{ name: 'bulwark-init', env: [{ name: 'BULWARK_SPEC', value: specJson }] }], containers: [{ name: 'app', env: [{ name: 'BULWARK_SPEC', value: '{"not":"ours"}' }] }] },
    };
    assert.equal(carriedSpec(injected), specJson);
    assert.equal(carriedSpec({ kind: 'Pod', spec: { containers: [{ name: 'app', env: [{ name: 'BULWARK_SPEC', value: '{}' }] }] } }), undefined);
  });

  it('a manifest without a pod spec is not a workload', () => {
    assert.equal(podOfWorkload({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'default'), undefined);
  });
});
