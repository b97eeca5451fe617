/**
 * The corpus of pod shapes: each pod goes through injectPod, the patch is applied with fast-json-patch
 * (validated, on a deep clone) and the resulting pod is checked field by field.
 */
import assert from 'node:assert/strict';
import { parseSpec } from '../../../sidecar/spec/schema.js';
import { SPEC_ENV } from '../../../sidecar/spec/types.js';
import type { KubeObject } from '../../../webhook/admission/types.js';
import { injectPod, type InjectionResult } from '../../../webhook/inject/inject-pod.js';
import type { InjectContext } from '../../../webhook/inject/context.js';
import { applyPatch, container, ctx, env, pod } from './fixtures.js';
import { needsKubernetesToken } from '../../../webhook/inject/credential-mounts.js';

const SECRET = { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db-password': 'vault:kv/data/app/db#password' };
const STATUS_RE = /^injected; spec-sha256=[0-9a-f]{64}$/;

interface Row {
  name: string;
  input: KubeObject;
  ctx?: InjectContext;
  want: (patched: KubeObject, r: Extract<InjectionResult, { result: 'injected' }>) => void;
}

/** Checks what every injected pod has: volume, bulwark-init first, hardened containers, status. */
function common(p: KubeObject, mountPath = '/bulwark'): void {
  const spec = p.spec as Record<string, any>;
  const volume = spec.volumes.find((v: { name: string }) => v.name === 'bulwark-files');
  assert.deepEqual(volume, { name: 'bulwark-files', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } });
  assert.equal(spec.initContainers[0].name, 'bulwark-init');
  assert.deepEqual(spec.initContainers[0].args, ['init']);
  assert.match(p.metadata!.annotations!['bulwark.dev/status']!, STATUS_RE);
  for (const c of [...spec.initContainers, ...spec.containers].filter((x: { name: string }) => x.name.startsWith('bulwark-'))) {
    assert.equal(c.image, 'ghcr.io/bulwark-dev/bulwark-sidecar:0.1.0');
    assert.deepEqual(c.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(c.volumeMounts[0], { name: 'bulwark-files', mountPath });
    for (const m of c.volumeMounts.slice(1)) assert.equal(m.readOnly, true, `${c.name} mounts ${m.name} read-only`);
    // Kubernetes auth needs the service-account token in Bulwark's own containers (the plugin never mounts it there).
    const token = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount');
    const parsed = parseSpec(env(c, SPEC_ENV)!.value);
    const podSpec = p.spec as Record<string, any>;
    const hasAccount = typeof podSpec.serviceAccountName === 'string' || podSpec.volumes.some((v: { name: string }) => v.name.startsWith('kube-api-access'));
    if (needsKubernetesToken(parsed) && hasAccount) {
      assert.ok(token, `${c.name} mounts the service-account token`);
      assert.ok((p.spec as Record<string, any>).volumes.some((v: { name: string }) => v.name === token.name), `the pod has volume ${token.name}`);
    } else assert.equal(token, undefined, `${c.name} gets no token its stores do not need`);
    assert.deepEqual(c.resources, { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    assert.deepEqual(env(c, 'BULWARK_POD_NAME'), { name: 'BULWARK_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    assert.deepEqual(env(c, 'BULWARK_POD_NAMESPACE'), { name: 'BULWARK_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    const spec = parseSpec(env(c, SPEC_ENV)!.value); // valid against the sidecar's own schema
    assert.equal(spec.mountPath, mountPath);
    if (c.name === 'bulwark-init') assert.equal(c.ports, undefined, 'the init container serves nothing');
    if (c.name === 'bulwark-sidecar') {
      const hostNetwork = (p.spec as Record<string, any>).hostNetwork === true;
      // Metrics on the pod IP (HTTPS) for the PodMonitor, except where a fixed port would claim a node port.
      assert.deepEqual(c.ports, hostNetwork ? undefined : [{ name: 'bulwark-metrics', containerPort: 9090, protocol: 'TCP' }]);
      assert.deepEqual(env(c, 'BULWARK_SIDECAR_METRICS_ADDRESS'), hostNetwork ? undefined : { name: 'BULWARK_SIDECAR_METRICS_ADDRESS', value: '0.0.0.0' });
    }
  }
}

/** The read-only app mount. */
const appMount = (mountPath = '/bulwark') => ({ name: 'bulwark-files', mountPath, readOnly: true });

const rows: Row[] = [
  {
    name: 'bare pod: no annotations map besides ours, no volumes, no initContainers',
    input: pod(SECRET),
    want: (p, r) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ['bulwark-init', 'bulwark-sidecar']);
      assert.equal(container(p, 'initContainers', 'bulwark-sidecar')!.restartPolicy, 'Always');
      assert.deepEqual(container(p, 'initContainers', 'bulwark-sidecar')!.args, ['run']);
      assert.equal(container(p, 'initContainers', 'bulwark-init')!.restartPolicy, undefined);
      assert.deepEqual(spec.containers, [{ name: 'app', image: 'nginx', volumeMounts: [appMount()] }]);
      assert.equal(spec.shareProcessNamespace, undefined);
      assert.deepEqual(r.spec.files, [{ name: 'db-password', kind: 'secret', sources: [{ store: 'vault', path: 'kv/data/app/db', key: 'password' }], format: 'raw', mode: 0o400 }]);
      assert.deepEqual(r.spec.stores, { vault: { provider: 'vault', address: 'https://vault.vault.svc:8200', kvVersion: 2, caFile: '/etc/bulwark/ca.pem', auth: { method: 'kubernetes', role: 'app', mountPath: 'kubernetes' } } });
      assert.deepEqual(r.spec.pod, { namespace: 'team-b', name: 'web' });
      assert.equal(r.spec.initOnly, false);
      assert.equal(r.spec.refreshSeconds, 60);
      assert.deepEqual(r.spec.reload, [{ type: 'none' }]);
    },
  },
  {
    name: 'pod without metadata.annotations in a namespace opted in by label, config from ConfigMaps',
    input: pod(undefined, { containers: [{ name: 'app', image: 'nginx' }] }),
    ctx: ctx('team-a'),
    want: (p) => assert.equal(p.metadata!.annotations, undefined, 'unreachable: no files means no injection'),
  },
  {
    name: 'several containers: every app container gets the read-only mount, existing mounts are kept',
    input: pod(
      { ...SECRET, 'bulwark.dev/config.app.yaml': 'app-base#app.yaml, app-prod#app.yaml, consul:team-a/app' },
      { containers: [{ name: 'app', image: 'a', volumeMounts: [{ name: 'data', mountPath: '/data' }] }, { name: 'worker', image: 'w' }], volumes: [{ name: 'data', emptyDir: {} }] },
    ),
    ctx: ctx('team-a'),
    want: (p, r) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.volumes[0], { name: 'data', emptyDir: {} });
      assert.deepEqual(container(p, 'containers', 'app')!.volumeMounts, [{ name: 'data', mountPath: '/data' }, appMount()]);
      assert.deepEqual(container(p, 'containers', 'worker')!.volumeMounts, [appMount()]);
      const cfg = r.spec.files.find((f) => f.name === 'app.yaml')!;
      assert.equal(cfg.format, 'yaml');
      assert.equal(cfg.kind, 'config');
      assert.deepEqual(cfg.sources, [
        { store: 'kubernetes', path: 'configmap/app-base', key: 'app.yaml' },
        { store: 'kubernetes', path: 'configmap/app-prod', key: 'app.yaml' },
        { store: 'consul', path: 'team-a/app' },
      ]);
      assert.deepEqual(Object.keys(r.spec.stores), ['consul', 'kubernetes', 'vault']);
      assert.deepEqual(r.spec.stores.kubernetes, { provider: 'kubernetes' });
      assert.deepEqual(r.spec.stores.consul!.auth, { method: 'token', tokenFile: '/var/run/consul/token' });
    },
  },
  {
    name: 'containers annotation: only the named container gets the mount',
    input: pod({ ...SECRET, 'bulwark.dev/containers': 'worker' }, { containers: [{ name: 'app', image: 'a' }, { name: 'worker', image: 'w' }] }),
    want: (p) => {
      common(p);
      assert.equal(container(p, 'containers', 'app')!.volumeMounts, undefined);
      assert.deepEqual(container(p, 'containers', 'worker')!.volumeMounts, [appMount()]);
    },
  },
  {
    name: 'existing initContainers: bulwark-init and the native sidecar go first, the old init container is mounted',
    input: pod(SECRET, { initContainers: [{ name: 'migrate', image: 'm' }], containers: [{ name: 'app', image: 'a' }] }),
    want: (p) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ['bulwark-init', 'bulwark-sidecar', 'migrate']);
      assert.deepEqual(spec.initContainers[2], { name: 'migrate', image: 'm', volumeMounts: [appMount()] });
    },
  },
  {
    name: 'Job pod: init-only automatically, no sidecar, no process namespace sharing',
    input: pod({ ...SECRET, 'bulwark.dev/reload': 'signal:HUP' }, { containers: [{ name: 'task', image: 't' }], restartPolicy: 'Never' }, {
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-28000000', controller: true }],
    }),
    want: (p, r) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ['bulwark-init']);
      assert.deepEqual(spec.containers.map((c: { name: string }) => c.name), ['task']);
      assert.equal(spec.shareProcessNamespace, undefined);
      assert.equal(r.spec.initOnly, true);
      assert.deepEqual(r.spec.pod.owner, { kind: 'Job', name: 'nightly-28000000' });
      assert.ok(r.warnings.some((w) => w.includes('bulwark.dev/reload has no effect')));
    },
  },
  {
    name: 'Deployment template pod: generateName, no name; the spec has no pod name and the ReplicaSet as owner',
    input: pod(SECRET, { containers: [{ name: 'app', image: 'a' }] }, {
      name: undefined,
      generateName: 'web-7d4b9c-',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', controller: true }],
    }),
    ctx: ctx('prod'),
    want: (p, r) => {
      common(p);
      assert.equal(p.metadata!.name, undefined);
      assert.equal(p.metadata!.generateName, 'web-7d4b9c-');
      assert.deepEqual(r.spec.pod, { namespace: 'prod', tenant: 'acme', environment: 'prod', owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' } });
    },
  },
  {
    name: 'annotation keys that need JSON Pointer escaping: existing keys with "/" and "~" are kept, ours is added with ~1',
    input: pod({ ...SECRET, 'example.com/owner~team': 'a/b', 'kubectl.kubernetes.io/default-container': 'app' }),
    want: (p, r) => {
      common(p);
      const ann = p.metadata!.annotations!;
      assert.equal(ann['example.com/owner~team'], 'a/b');
      assert.equal(ann['kubectl.kubernetes.io/default-container'], 'app');
      assert.equal(ann['bulwark.dev/inject'], 'true');
      assert.equal(r.patch[0]!.path, '/metadata/annotations/bulwark.dev~1status');
    },
  },
  {
    name: 'pod securityContext already set: left alone; injected containers carry their own hardened context',
    input: pod(SECRET, { securityContext: { runAsUser: 1000, fsGroup: 2000, runAsNonRoot: true }, containers: [{ name: 'app', image: 'a', securityContext: { readOnlyRootFilesystem: true } }] }),
    want: (p) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.securityContext, { runAsUser: 1000, fsGroup: 2000, runAsNonRoot: true });
      assert.deepEqual(container(p, 'containers', 'app')!.securityContext, { readOnlyRootFilesystem: true });
    },
  },
  {
    name: 'IRSA pod (EKS pod identity webhook ran first): role, token file and token mount reach Bulwark containers',
    input: pod(SECRET, {
      serviceAccountName: 'shop',
      volumes: [{ name: 'aws-iam-token', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', path: 'token' } }] } }],
      containers: [
        { name: 'app', image: 'a', env: [
          { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/shop' },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
          { name: 'AWS_REGION', value: 'eu-west-1' },
          { name: 'DB_HOST', value: 'db' },
        ], volumeMounts: [{ name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true }] },
      ],
    }),
    want: (p) => {
      const spec = p.spec as Record<string, any>;
      for (const c of spec.initContainers.filter((x: { name: string }) => x.name.startsWith('bulwark-'))) {
        assert.deepEqual(env(c, 'AWS_ROLE_ARN'), { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111122223333:role/shop' });
        assert.deepEqual(env(c, 'AWS_WEB_IDENTITY_TOKEN_FILE'), { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' });
        assert.deepEqual(env(c, 'AWS_REGION'), { name: 'AWS_REGION', value: 'eu-west-1' });
        assert.equal(env(c, 'DB_HOST'), undefined, 'only identity variables are copied');
        assert.deepEqual(c.volumeMounts, [
          { name: 'bulwark-files', mountPath: '/bulwark' },
          { name: 'bulwark-kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
        ]);
      }
    },
  },
  {
    name: 'hostNetwork pod: injected the same way, hostNetwork untouched',
    input: pod(SECRET, { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet', containers: [{ name: 'agent', image: 'a' }] }),
    want: (p) => {
      common(p);
      const spec = p.spec as Record<string, any>;
      assert.equal(spec.hostNetwork, true);
      assert.equal(spec.dnsPolicy, 'ClusterFirstWithHostNet');
    },
  },
  {
    name: 'Kubernetes 1.28: classic sidecar appended to containers; signal reload shares the process namespace',
    input: pod({ ...SECRET, 'bulwark.dev/reload': 'signal:SIGHUP:nginx, restart', 'bulwark.dev/mount-path': '/etc/app/secrets' }),
    ctx: ctx('team-b', { serverVersion: { major: 1, minor: 28 } }),
    want: (p, r) => {
      common(p, '/etc/app/secrets');
      const spec = p.spec as Record<string, any>;
      assert.deepEqual(spec.initContainers.map((c: { name: string }) => c.name), ['bulwark-init']);
      assert.deepEqual(spec.containers.map((c: { name: string }) => c.name), ['app', 'bulwark-sidecar']);
      assert.equal(container(p, 'containers', 'bulwark-sidecar')!.restartPolicy, undefined);
      assert.equal(spec.shareProcessNamespace, true);
      assert.deepEqual(container(p, 'containers', 'app')!.volumeMounts, [appMount('/etc/app/secrets')]);
      assert.deepEqual(r.spec.reload, [{ type: 'signal', signal: 'SIGHUP', process: 'nginx' }, { type: 'restart' }]);
      assert.equal(r.native, false);
    },
  },
  {
    name: 'every per-file and pod annotation reaches the spec; resources overridden within limits',
    input: pod({
      ...SECRET,
      'bulwark.dev/template.db-password': 'postgres://app:{{password}}@db/app',
      'bulwark.dev/format.db-password': 'env',
      'bulwark.dev/mode.db-password': '0440',
      'bulwark.dev/config.settings.json': 'settings',
      'bulwark.dev/schema.settings.json': 'app-config',
      'bulwark.dev/refresh': '5m',
      'bulwark.dev/health': 'http://127.0.0.1:8080/healthz',
      'bulwark.dev/health-timeout': '10s',
      'bulwark.dev/on-failure': 'fail',
      'bulwark.dev/reload': 'http://localhost:8080/-/reload',
      'bulwark.dev/cpu-request': '50m',
      'bulwark.dev/memory-limit': '96Mi',
    }),
    want: (p, r) => {
      const sidecar = container(p, 'initContainers', 'bulwark-sidecar')!;
      assert.deepEqual(sidecar.resources, { requests: { cpu: '50m', memory: '48Mi' }, limits: { cpu: '200m', memory: '96Mi' } });
      const db = r.spec.files.find((f) => f.name === 'db-password')!;
      assert.equal(db.template, 'postgres://app:{{password}}@db/app');
      assert.equal(db.format, 'env');
      assert.equal(db.mode, 0o440);
      const settings = r.spec.files.find((f) => f.name === 'settings.json')!;
      assert.equal(settings.format, 'json');
      assert.equal(settings.schemaName, 'app-config');
      assert.deepEqual(settings.schema, { type: 'object', required: ['port'] });
      assert.equal(r.spec.refreshSeconds, 300);
      assert.deepEqual(r.spec.health, { url: 'http://127.0.0.1:8080/healthz', timeoutSeconds: 10 });
      assert.equal(r.spec.onFailure, 'fail');
      assert.deepEqual(r.spec.reload, [{ type: 'http', url: 'http://localhost:8080/-/reload' }]);
      assert.equal((p.spec as Record<string, any>).shareProcessNamespace, undefined);
    },
  },
];

describe('inject/injectPod: pod corpus', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before = structuredClone(row.input);
      const r = injectPod(row.input, row.ctx ?? ctx());
      assert.deepEqual(row.input, before, 'injectPod must not mutate its input');
      if (row.name.startsWith('pod without metadata.annotations')) {
        assert.deepEqual(r, { result: 'skipped', reason: 'no-files', warnings: ['the pod opts into injection but names no files; add bulwark.dev/secret.<file> or bulwark.dev/config.<file>'] });
        return;
      }
      assert.equal(r.result, 'injected', JSON.stringify(r));
      if (r.result !== 'injected') return;
      row.want(applyPatch(row.input, r.patch), r);
    });
  }
});

describe('inject/injectPod: pods it must not inject', () => {
  it('denies a Windows pod with its own message instead of making it invalid with a Linux sidecar', () => {
    const win = pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:secret/data/team-a/db#password' }, { os: { name: 'windows' }, containers: [{ name: 'app', image: 'mcr.microsoft.com/windows/servercore:ltsc2022' }] });
    const r = injectPod(win, ctx());
    assert.equal(r.result, 'denied', JSON.stringify(r));
    if (r.result !== 'denied') return;
    assert.match(r.message, /spec\.os\.name.*Windows.*Linux container/);
    // the same pod on Linux is injected
    const linux = pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:secret/data/team-a/db#password' }, { os: { name: 'linux' }, containers: [{ name: 'app', image: 'app:1' }] });
    assert.equal(injectPod(linux, ctx()).result, 'injected');
  });
});

describe('inject: mistyped and misplaced annotations are answered', () => {
  it('a pod that does not opt in because of a typo hears what it probably meant', () => {
    const r = injectPod(pod({ 'bulwark.dev/injct': 'true', 'bulwark.dev/secret.db': 'vault:secret/data/team-a/db' }), ctx());
    assert.equal(r.result, 'skipped');
    assert.ok(r.warnings.some((w) => /unknown annotation bulwark\.dev\/injct; did you mean bulwark\.dev\/inject\?/.test(w)), JSON.stringify(r.warnings));
    // nothing to say to a pod without bulwark.dev keys
    assert.deepEqual(injectPod(pod({ 'app.kubernetes.io/name': 'x' }), ctx()).warnings, []);
  });

  it("injection annotations on a Deployment's own metadata get a warning naming where they belong", async () => {
    const { checkWorkloadTemplate } = await import('../../../webhook/inject/template-check.js');
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'team-a', annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:secret/data/team-a/db' } },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
    } as unknown as KubeObject;
    const r = checkWorkloadTemplate(dep, ctx());
    assert.ok(r.warnings.some((w) => /on its own metadata, where they have no effect.*spec\.template\.metadata\.annotations/.test(w)), JSON.stringify(r.warnings));
  });
});
