/**
 * A webhook outage with the real apiserver and the real process, as deploy/base declares it: only
 * what Bulwark manages fails closed (tenant and environment namespaces, managed or tenant-labelled
 * objects), ordinary writes and exempt controller identities go through, injection and workload
 * validation fail open, and Bulwark's own namespace and kube-system stay writable. Two outages: the
 * process stopped (connection refused), and a webhook that accepts connections but never answers
 * (the apiserver gives up after the entry's timeoutSeconds). Started again on the same port,
 * admission works again without re-applying or restarting anything else.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { generateCA } from '../../webhook/certs/generate.js';
import { applyWebhookConfigs, renderedBase, restoreWebhookConfigs, testCluster } from './harness/env.js';
import { eventually, pod, webhookWithNamespaces } from './harness/fixtures.js';
import type { WebhookControl } from './harness/in-cluster.js';
import { WebhookProcess } from './harness/webhook.js';

const MANAGED = { 'bulwark.dev/managed': 'true' };
const JANE = 'e2e-outage-jane';
const CERT_MANAGER = 'system:serviceaccount:cert-manager:cert-manager';
const GARBAGE_COLLECTOR = 'system:serviceaccount:kube-system:generic-garbage-collector';
const CONTROLLER_MANAGER = 'system:kube-controller-manager';
const NAMESPACES = ['e2e-plain', 'e2e-prod', 'e2e-dev', 'e2e-audit'];

const configMap = (ns: string, name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { level: 'info' } });
const secret = (ns: string, name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', stringData: { token: 'e2e-outage-not-a-secret' } });

/** Write access for the impersonated identities in the e2e namespaces (admission decides the rest). */
const RBAC = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'e2e-outage-writer' }, rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'create', 'update', 'patch'] }] },
    ...NAMESPACES.map((ns) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'e2e-outage-writer', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e-outage-writer' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: JANE },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CONTROLLER_MANAGER },
        { kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' },
        { kind: 'ServiceAccount', name: 'generic-garbage-collector', namespace: 'kube-system' },
      ],
    })),
  ],
};

/** One write during an outage: who makes it, what it is, and which webhook must refuse it (undefined: admitted). */
interface Row {
  name: string;
  as: string;
  write: (suffix: string) => { manifest: unknown } | { args: string[] };
  refusedBy?: string;
}

const ROWS: Row[] = [
  { name: 'a ConfigMap in an unlabelled namespace is admitted (config-other: Ignore)', as: JANE, write: (s) => ({ manifest: configMap('e2e-plain', `plain-${s}`) }) },
  { name: 'a Secret in an unlabelled namespace is admitted', as: JANE, write: (s) => ({ manifest: secret('e2e-plain', `plain-${s}`) }) },
  { name: 'a ConfigMap in a prod namespace is refused', as: JANE, write: (s) => ({ manifest: configMap('e2e-prod', `prod-${s}`) }), refusedBy: 'config.bulwark.dev' },
  { name: 'a Secret in a prod namespace is refused', as: JANE, write: (s) => ({ manifest: secret('e2e-prod', `prod-${s}`) }), refusedBy: 'config.bulwark.dev' },
  { name: 'a ConfigMap in an environment namespace without tenant is refused', as: JANE, write: (s) => ({ manifest: configMap('e2e-audit', `audit-${s}`) }), refusedBy: 'config-environment.bulwark.dev' },
  { name: 'a managed ConfigMap in an unlabelled namespace is refused', as: JANE, write: (s) => ({ manifest: configMap('e2e-plain', `managed-${s}`, MANAGED) }), refusedBy: 'config-managed.bulwark.dev' },
  { name: 'a ConfigMap labelled for a tenant in an unlabelled namespace is refused', as: JANE, write: (s) => ({ manifest: configMap('e2e-plain', `tenant-${s}`, { 'bulwark.dev/tenant': 'team-a' }) }), refusedBy: 'config-managed.bulwark.dev' },
  { name: 'removing the managed label is refused (the old object counts)', as: JANE, write: () => ({ args: ['-n', 'e2e-plain', 'label', 'configmap', 'outage-managed', 'bulwark.dev/managed-'] }), refusedBy: 'config-managed.bulwark.dev' },
  { name: "cert-manager's service account can still write a Secret in the prod namespace", as: CERT_MANAGER, write: (s) => ({ manifest: secret('e2e-prod', `cert-manager-${s}`) }) },
  { name: 'a kube-system controller (exempt group) can still write in the prod namespace', as: GARBAGE_COLLECTOR, write: (s) => ({ manifest: configMap('e2e-prod', `gc-${s}`) }) },
  { name: 'kube-controller-manager can still write in a tenant namespace', as: CONTROLLER_MANAGER, write: (s) => ({ manifest: configMap('e2e-dev', `kcm-${s}`) }) },
];

/** The timeoutSeconds deploy/base declares for a validating entry. */
function timeoutOf(webhook: string): number {
  const vwc = renderedBase().webhooks.find((w) => w.kind === 'ValidatingWebhookConfiguration')!;
  return (vwc.webhooks as { name: string; timeoutSeconds: number }[]).find((w) => w.name === webhook)!.timeoutSeconds;
}

/** Runs the rows as assertions; `cause` matches the apiserver's reason for the failed call. */
function outageRows(suffix: string, cause: RegExp): void {
  for (const row of ROWS) {
    it(row.name, async () => {
      const k = testCluster().kubectl;
      const w = row.write(suffix);
      const as = [`--as=${row.as}`];
      const r = 'manifest' in w ? await k.create(w.manifest, as) : await k.run([...w.args, ...as]);
      if (!row.refusedBy) {
        assert.equal(r.code, 0, r.stderr);
        return;
      }
      assert.notEqual(r.code, 0, `admitted during the outage: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`failed calling webhook "${row.refusedBy.replace(/\./g, '\\.')}"`));
      // the apiserver names the timeout it used: the configured timeoutSeconds bounds the wait
      assert.match(r.stderr, new RegExp(`\\?timeout=${timeoutOf(row.refusedBy)}s`));
      assert.match(r.stderr, cause);
    });
  }
}

describe('e2e: webhook outage and recovery', function () {
  this.timeout(120_000);
  let webhook: WebhookControl;
  before(async () => {
    webhook = await webhookWithNamespaces();
    const k = testCluster().kubectl;
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(RBAC) });
    // a managed ConfigMap written while Bulwark is up, for the label-removal row
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(configMap('e2e-plain', 'outage-managed', MANAGED)) });
  });
  after(async () => {
    if (!webhook.running()) await webhook.start(); // leave the shared webhook as we found it
  });

  describe('with a webhook that accepts connections and never answers', () => {
    let hung: Server | undefined;
    const sockets = new Set<Socket>();
    before(async function () {
      if (!(webhook instanceof WebhookProcess)) this.skip(); // external cluster: its apiserver cannot reach this process
      hung = createServer((s) => sockets.add(s));
      await new Promise<void>((resolve) => hung!.listen(0, '127.0.0.1', resolve));
      const port = (hung.address() as { port: number }).port;
      await applyWebhookConfigs(`https://127.0.0.1:${port}`, generateCA({ commonName: 'nobody' }).certPem);
    });
    after(async () => {
      if (!hung) return;
      await restoreWebhookConfigs();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hung!.close(() => resolve()));
    });

    outageRows('hung', /context deadline exceeded|Client\.Timeout|timeout/i);
  });

  describe('with the webhook process stopped', () => {
    before(async () => {
      await webhook.stop();
      assert.equal(webhook.running(), false);
    });

    outageRows('stopped', /connection refused|no endpoints available/);

    it('admits pods without injection (failurePolicy Ignore, as documented)', async () => {
      const r = await testCluster().kubectl.create(pod('e2e-dev', 'during-outage', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config' }), ['-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout);
      assert.equal(got.spec.initContainers, undefined);
      assert.equal(got.metadata.annotations['bulwark.dev/status'], undefined);
    });

    it('keeps bulwark-system and kube-system writable', async () => {
      const k = testCluster().kubectl;
      for (const ns of ['bulwark-system', 'kube-system']) {
        const r = await k.create(configMap(ns, 'outage-repair', MANAGED));
        assert.equal(r.code, 0, `${ns}: ${r.stderr}`);
        // bulwark-system enforces the restricted Pod Security Standard, so the pod must comply
        const restricted = {
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        };
        const p = await k.create(pod(ns, 'outage-repair', { 'bulwark.dev/inject': 'true' }, { spec: restricted }));
        assert.equal(p.code, 0, `${ns}: ${p.stderr}`);
      }
    });
  });

  describe('after a restart on the same port', () => {
    it('admission works again, with nothing else restarted or re-applied', async () => {
      const k = testCluster().kubectl;
      const before = JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'bulwark-validate', '-o', 'json'])).metadata.resourceVersion;
      await webhook.start();
      await eventually(async () => {
        const r = await k.create(pod('e2e-dev', 'after-outage', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config' }), ['--dry-run=server', '-o', 'json']);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(JSON.parse(r.stdout).spec.initContainers?.some((c: any) => c.name === 'bulwark-init'), 'not injected yet');
      });
      const denied = await k.create(configMap('e2e-prod', 'after-outage', MANAGED));
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /admission webhook "config\.bulwark\.dev" denied the request: .*must set immutable: true/);
      const fine = await k.create(configMap('e2e-dev', 'after-outage'));
      assert.equal(fine.code, 0, fine.stderr);
      const after = JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'bulwark-validate', '-o', 'json'])).metadata.resourceVersion;
      assert.equal(after, before, 'the webhook configuration was changed to recover');
    });

    it('an exempt identity is still validated while Bulwark is up (exempt from failing closed, not from policy)', async () => {
      const r = await testCluster().kubectl.create(configMap('e2e-prod', 'exempt-after-outage', MANAGED), [`--as=${CERT_MANAGER}`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /admission webhook "config-exempt\.bulwark\.dev" denied the request: .*must set immutable: true/);
    });
  });
});
