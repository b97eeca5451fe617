/**
 * A webhook outage with the real process: stopped, each webhook behaves as deploy/base declares it
 * (configuration fails closed, injection and workload validation fail open), Bulwark's own namespace
 * and kube-system stay writable; started again on the same port, admission works again without
 * re-applying or restarting anything else.
 */
import assert from 'node:assert/strict';
import { testCluster } from './harness/env.js';
import { eventually, pod, webhookWithNamespaces } from './harness/fixtures.js';
import type { WebhookControl } from './harness/in-cluster.js';

const MANAGED_MUTABLE = (ns: string, name: string) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { 'bulwark.dev/managed': 'true' } }, data: { level: 'info' },
});

describe('e2e: webhook outage and recovery', function () {
  this.timeout(90_000);
  let webhook: WebhookControl;
  before(async () => {
    webhook = await webhookWithNamespaces();
  });
  after(async () => {
    if (!webhook.running()) await webhook.start(); // leave the shared webhook as we found it
  });

  it('with the webhook process stopped, fails closed for ConfigMaps and Secrets', async () => {
    await webhook.stop();
    assert.equal(webhook.running(), false);
    const k = testCluster().kubectl;
    for (const ns of ['e2e-dev', 'e2e-plain']) {
      const r = await k.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-outage', namespace: ns }, data: { a: 'b' } });
      assert.notEqual(r.code, 0, `ConfigMap in ${ns} admitted during the outage`);
      assert.match(r.stderr, /failed calling webhook "config\.bulwark\.dev"/);
      assert.match(r.stderr, /connection refused|no endpoints available/);
      const s = await k.run(['-n', ns, 'create', 'secret', 'generic', 'during-outage', '--from-literal=a=b']);
      assert.notEqual(s.code, 0, `Secret in ${ns} admitted during the outage`);
    }
  });

  it('with the webhook process stopped, admits pods without injection (failurePolicy Ignore, as documented)', async () => {
    const r = await testCluster().kubectl.create(pod('e2e-dev', 'during-outage', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config' }), ['-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.spec.initContainers, undefined);
    assert.equal(got.metadata.annotations['bulwark.dev/status'], undefined);
  });

  it('with the webhook process stopped, bulwark-system and kube-system stay writable', async () => {
    const k = testCluster().kubectl;
    for (const ns of ['bulwark-system', 'kube-system']) {
      const r = await k.create(MANAGED_MUTABLE(ns, 'outage-repair'));
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

  it('after a restart on the same port admission works again, with nothing else restarted or re-applied', async () => {
    const k = testCluster().kubectl;
    const before = JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'bulwark-validate', '-o', 'json'])).metadata.resourceVersion;
    await webhook.start();
    await eventually(async () => {
      const r = await k.create(pod('e2e-dev', 'after-outage', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config' }), ['--dry-run=server', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).spec.initContainers?.some((c: any) => c.name === 'bulwark-init'), 'not injected yet');
    });
    const denied = await k.create(MANAGED_MUTABLE('e2e-prod', 'after-outage'));
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /admission webhook "config\.bulwark\.dev" denied the request: .*must set immutable: true/);
    const fine = await k.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-outage', namespace: 'e2e-dev' }, data: { a: 'b' } });
    assert.equal(fine.code, 0, fine.stderr);
    const after = JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'bulwark-validate', '-o', 'json'])).metadata.resourceVersion;
    assert.equal(after, before, 'the webhook configuration was changed to recover');
  });
});
