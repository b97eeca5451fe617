/**
 * The harness and the project's manifests against the real kube-apiserver: the cluster is up with
 * encryption at rest, every manifest of deploy/base passes server-side dry-run, RBAC grants exactly
 * what the comments in deploy/base say, and with no webhook answering, each webhook's
 * failurePolicy and namespace exclusions behave as declared.
 */
import assert from 'node:assert/strict';
import { asList } from './harness/deploy.js';
import { etcdGet, registryKey } from './harness/etcd-kv.js';
import { applyWebhookConfigs, renderedBase, restoreWebhookConfigs, testCluster } from './harness/env.js';
import { freePort } from './harness/net.js';
import { generateCA } from '../../webhook/certs/generate.js';

describe('e2e harness: real kube-apiserver + etcd', function () {
  this.timeout(60_000);

  it('serves Kubernetes >= 1.33 and authenticates the admin as system:masters', async () => {
    const k = testCluster().kubectl;
    const v = JSON.parse(await k.ok(['version', '-o', 'json'])).serverVersion;
    assert.equal(v.major, '1');
    assert.ok(Number(v.minor) >= 33, `server minor ${v.minor}`);
    assert.equal((await k.ok(['auth', 'can-i', '*', '*', '--all-namespaces'])).trim(), 'yes');
  });

  it('stores Secrets and ConfigMaps encrypted in etcd (read directly, bypassing the apiserver)', async function () {
    const c = testCluster();
    if (!c.etcdUrl) this.skip(); // external cluster: no direct etcd access
    const plain = 'e2e-plaintext-marker-7f3a9c';
    await c.kubectl.ok(['create', 'namespace', 'e2e-at-rest']);
    await c.kubectl.ok(['-n', 'e2e-at-rest', 'create', 'secret', 'generic', 'db', `--from-literal=password=${plain}`]);
    await c.kubectl.ok(['-n', 'e2e-at-rest', 'create', 'configmap', 'settings', `--from-literal=note=${plain}`]);
    for (const [resource, name] of [['secrets', 'db'], ['configmaps', 'settings']] as const) {
      const raw = await etcdGet(c.etcdUrl!, registryKey(resource, 'e2e-at-rest', name));
      assert.ok(raw, `${resource}/${name} not found in etcd`);
      assert.ok(raw.subarray(0, 40).toString('latin1').startsWith('k8s:enc:secretbox:v1:key1:'), `${resource} not encrypted: ${raw.subarray(0, 40).toString('latin1')}`);
      assert.ok(!raw.includes(plain) && !raw.includes(Buffer.from(plain).toString('base64')), `${resource} value visible in etcd`);
    }
    // and the apiserver still decrypts it for an authorised reader
    const got = JSON.parse(await c.kubectl.ok(['-n', 'e2e-at-rest', 'get', 'secret', 'db', '-o', 'json']));
    assert.equal(Buffer.from(got.data.password, 'base64').toString(), plain);
  });

  it('accepts every manifest of deploy/base in a server-side dry-run, and the dry-run leaves no trace', async () => {
    const { all } = renderedBase();
    const k = testCluster().kubectl;
    assert.ok(all.some((m) => m.kind === 'Deployment') && all.some((m) => m.kind === 'ValidatingWebhookConfiguration'));
    for (const m of all) {
      const r = await k.run(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(m) });
      assert.equal(r.code, 0, `${m.kind} ${m.metadata.name}: ${r.stderr}`);
      assert.match(r.stdout, /\(server dry run\)/);
    }
    assert.equal(await k.getJson('deployment', 'bulwark-webhook', 'bulwark-system'), undefined);
  });

  it('rejects a webhook configuration whose matchConditions do not compile (the dry-run is a real check)', async () => {
    const vwc = structuredClone(renderedBase().webhooks.find((w) => w.kind === 'ValidatingWebhookConfiguration')!);
    vwc.webhooks[0].matchConditions = [{ name: 'broken', expression: 'object.metadata.name ==' }];
    const r = await testCluster().kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(vwc) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /matchConditions|compil/i);
  });

  it('applied the namespace, service account and RBAC of deploy/base for real', async () => {
    const k = testCluster().kubectl;
    for (const m of renderedBase().cluster) {
      assert.ok(await k.getJson(m.kind, m.metadata.name, m.metadata.namespace), `${m.kind} ${m.metadata.name} missing`);
    }
  });

  describe('RBAC is least privilege', () => {
    const webhookSA = 'system:serviceaccount:bulwark-system:bulwark-webhook';
    const sidecarSA = 'system:serviceaccount:e2e-rbac:app';
    before(async () => {
      const k = testCluster().kubectl;
      await k.ok(['create', 'namespace', 'e2e-rbac']);
      await k.ok(['-n', 'e2e-rbac', 'create', 'rolebinding', 'bulwark-sidecar', '--clusterrole=bulwark-sidecar', '--serviceaccount=e2e-rbac:app']);
    });
    const rows: Array<{ as: string; args: string[]; want: 'yes' | 'no'; crd?: boolean }> = [
      { as: webhookSA, args: ['list', 'secrets', '--all-namespaces'], want: 'yes' },
      { as: webhookSA, args: ['watch', 'configmaps', '--all-namespaces'], want: 'yes' },
      { as: webhookSA, args: ['get', 'namespaces'], want: 'yes' },
      { as: webhookSA, args: ['list', 'pods', '--all-namespaces'], want: 'yes' },
      { as: webhookSA, args: ['watch', 'configpolicies.bulwark.dev', '--all-namespaces'], want: 'yes', crd: true },
      { as: webhookSA, args: ['list', 'clustersecretstores.bulwark.dev'], want: 'yes', crd: true },
      { as: webhookSA, args: ['update', 'leases.coordination.k8s.io', '-n', 'bulwark-system'], want: 'yes' },
      { as: webhookSA, args: ['create', 'leases.coordination.k8s.io', '-n', 'default'], want: 'no' },
      { as: webhookSA, args: ['create', 'configmaps', '-n', 'default'], want: 'no' },
      { as: webhookSA, args: ['update', 'secrets', '-n', 'default'], want: 'no' },
      { as: webhookSA, args: ['delete', 'pods', '-n', 'default'], want: 'no' },
      { as: webhookSA, args: ['create', 'configpolicies.bulwark.dev', '-n', 'default'], want: 'no' },
      { as: webhookSA, args: ['patch', 'deployments', '-n', 'default'], want: 'no' },
      { as: sidecarSA, args: ['get', 'secrets', '-n', 'e2e-rbac'], want: 'yes' },
      { as: sidecarSA, args: ['watch', 'configmaps', '-n', 'e2e-rbac'], want: 'yes' },
      { as: sidecarSA, args: ['patch', 'deployments', '-n', 'e2e-rbac'], want: 'yes' },
      { as: sidecarSA, args: ['patch', 'statefulsets', '-n', 'e2e-rbac'], want: 'yes' },
      { as: sidecarSA, args: ['get', 'replicasets', '-n', 'e2e-rbac'], want: 'yes' },
      { as: sidecarSA, args: ['get', 'secrets', '-n', 'default'], want: 'no' },
      { as: sidecarSA, args: ['list', 'secrets', '--all-namespaces'], want: 'no' },
      { as: sidecarSA, args: ['create', 'secrets', '-n', 'e2e-rbac'], want: 'no' },
      { as: sidecarSA, args: ['delete', 'deployments', '-n', 'e2e-rbac'], want: 'no' },
      { as: sidecarSA, args: ['update', 'configmaps', '-n', 'e2e-rbac'], want: 'no' },
    ];
    for (const row of rows) {
      it(`${row.as.split(':').pop()} ${row.want === 'yes' ? 'may' : 'may not'} ${row.args.join(' ')}`, async function () {
        // can-i answers "no" for a resource the server does not serve yet
        if (row.crd && !renderedBase().all.some((m) => m.kind === 'CustomResourceDefinition')) this.skip();
        const r = await testCluster().kubectl.run(['auth', 'can-i', ...row.args, `--as=${row.as}`]);
        assert.equal(r.stdout.trim(), row.want, r.stderr);
      });
    }
  });

  describe('with the webhook configurations applied and no webhook answering', () => {
    before(async () => {
      const k = testCluster().kubectl;
      // a port where nothing listens and a CA nobody serves: every call fails at connect time
      // The labelled namespace exists before the configurations point at nothing (a label change is validated, fail closed).
      await k.ok(['create', 'namespace', 'e2e-down-prod']);
      await k.ok(['label', 'namespace', 'e2e-down-prod', 'bulwark.dev/environment=prod']);
      await applyWebhookConfigs(`https://127.0.0.1:${await freePort()}`, generateCA({ commonName: 'nobody' }).certPem);
      await k.ok(['create', 'namespace', 'e2e-down']);
    });
    after(restoreWebhookConfigs);

    it('fails closed for ConfigMaps and Secrets in an environment namespace (failurePolicy Fail) and says which webhook failed', async () => {
      const k = testCluster().kubectl;
      for (const args of [['create', 'configmap', 'c1', '--from-literal=a=b'], ['create', 'secret', 'generic', 's1', '--from-literal=a=b']]) {
        const r = await k.run(['-n', 'e2e-down-prod', ...args]);
        assert.notEqual(r.code, 0, `${args.join(' ')} was admitted`);
        assert.match(r.stderr, /failed calling webhook "config-environment\.bulwark\.dev"/);
      }
    });

    it('fails open for ConfigMaps and Secrets Bulwark does not manage, in a namespace without Bulwark labels', async () => {
      const k = testCluster().kubectl;
      for (const args of [['create', 'configmap', 'c1', '--from-literal=a=b'], ['create', 'secret', 'generic', 's1', '--from-literal=a=b']]) {
        const r = await k.run(['-n', 'e2e-down', ...args]);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      }
    });

    it('keeps kube-system, kube-public and bulwark-system writable (excluded by name)', async () => {
      const k = testCluster().kubectl;
      for (const ns of ['kube-system', 'kube-public', 'bulwark-system']) {
        const r = await k.run(['-n', ns, 'create', 'configmap', 'e2e-lockout-check', '--from-literal=a=b']);
        assert.equal(r.code, 0, `${ns}: ${r.stderr}`);
      }
    });

    it('admits pods and workloads unmutated (failurePolicy Ignore for injection and workload validation)', async () => {
      const k = testCluster().kubectl;
      const pod = {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'opted-in', namespace: 'e2e-down', annotations: { 'bulwark.dev/inject': 'true' } },
        spec: { containers: [{ name: 'app', image: 'busybox' }] },
      };
      const r = await k.create(pod, ['-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const created = JSON.parse(r.stdout);
      assert.equal(created.spec.initContainers, undefined);
      assert.equal(created.metadata.annotations['bulwark.dev/status'], undefined);
      const dep = await k.run(['-n', 'e2e-down', 'create', 'deployment', 'web', '--image=busybox']);
      assert.equal(dep.code, 0, dep.stderr);
    });

    it('fails closed for Bulwark documents when their CRDs are installed', async function () {
      const k = testCluster().kubectl;
      if (!renderedBase().all.some((m) => m.kind === 'CustomResourceDefinition')) this.skip();
      const r = await k.apply(asList([{ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: { name: 'x', namespace: 'e2e-down' }, spec: { mode: 'audit', rules: [{ rule: 'immutability' }] } }]));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /failed calling webhook "documents\.bulwark\.dev"/);
    });
  });
});
