/**
 * Every manifest users install, applied with server-side dry-run against the real kube-apiserver:
 * the kustomize overlays (dev, staging, prod) and the Helm chart in its main configurations, with
 * cert-manager's CRDs (from its Go module) and prometheus-operator's CRDs (test/deploy-tools.sh)
 * installed so Certificates, Issuers, ServiceMonitors, PodMonitors and PrometheusRules are
 * validated by their real schemas. A dry-run must accept everything and leave no trace.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testCluster } from '../harness/env.js';
import { generateCA } from '../../../webhook/certs/generate.js';
import { cleanupRender, renderChart, renderKustomize, type Manifest } from '../../integration/deploy/render.js';
import { findTool, requireTool } from '../../integration/deploy/tools.js';

const MONITORING_KINDS = new Set(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']);

/** Installs every CRD file of a directory for real and waits until they are served. */
async function installCrds(dir: string): Promise<string[]> {
  const k = testCluster().kubectl;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const names: string[] = [];
  for (const f of files) {
    const out = await k.ok(['apply', '--server-side', '--force-conflicts', '-f', join(dir, f), '-o', 'name']);
    names.push(...out.split('\n').filter(Boolean));
  }
  await k.ok(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
  return names;
}

/** Server-side dry-run of objects, one kubectl call; returns what the user would see. */
async function dryRun(objects: Manifest[]): Promise<{ code: number; out: string; lines: string[] }> {
  const r = await testCluster().kubectl.apply({ apiVersion: 'v1', kind: 'List', items: objects }, ['--dry-run=server']);
  return { code: r.code, out: r.stdout + r.stderr, lines: r.stdout.split('\n').filter((l) => l.includes('(server dry run)')) };
}

describe('deploy: server-side dry-run of every manifest', function () {
  this.timeout(180_000);
  let helm: string;
  let kubectl: string;
  let monitoringCrds = false;

  before(async function () {
    helm = requireTool(this, 'helm');
    kubectl = requireTool(this, 'kubectl');
    await installCrds(requireTool(this, 'cert-manager-crds'));
    const po = findTool('prometheus-operator-crds');
    if (po) {
      await installCrds(po);
      monitoringCrds = true;
    } else {
      process.stderr.write('      [deploy] prometheus-operator CRDs missing (bash test/deploy-tools.sh): ServiceMonitor/PodMonitor/PrometheusRule are not dry-run\n');
    }
  });
  after(() => cleanupRender());

  /** Drops monitoring kinds when their CRDs are not installed (the only documented skip). */
  const servable = (objs: Manifest[]) => (monitoringCrds ? objs : objs.filter((o) => !MONITORING_KINDS.has(o.kind)));

  const sets: { name: string; render: () => Manifest[]; kinds: string[] }[] = [
    { name: 'overlays/dev', render: () => renderKustomize(kubectl, 'overlays/dev'), kinds: ['Certificate', 'Issuer', 'Deployment'] },
    { name: 'overlays/staging', render: () => renderKustomize(kubectl, 'overlays/staging'), kinds: ['NetworkPolicy', 'PrometheusRule', 'ServiceMonitor'] },
    { name: 'overlays/prod', render: () => renderKustomize(kubectl, 'overlays/prod'), kinds: ['NetworkPolicy', 'PodMonitor', 'PodDisruptionBudget'] },
    { name: 'helm chart (defaults: cert-manager)', render: () => renderChart(helm), kinds: ['Certificate', 'MutatingWebhookConfiguration'] },
    {
      name: 'helm chart (monitoring, NetworkPolicy)',
      render: () => renderChart(helm, { set: ['monitoring.serviceMonitor.enabled=true', 'monitoring.podMonitor.enabled=true', 'monitoring.prometheusRule.enabled=true', 'monitoring.dashboard.enabled=true', 'networkPolicy.enabled=true'] }),
      kinds: ['PrometheusRule', 'ConfigMap', 'NetworkPolicy'],
    },
    {
      name: 'helm chart (without cert-manager: caBundle from bulwark certs)',
      render: () => renderChart(helm, { set: ['certManager.enabled=false', `tls.caBundle=${Buffer.from(generateCA({ commonName: 'bulwark-ca' }).certPem).toString('base64')}`] }),
      kinds: ['ValidatingWebhookConfiguration'],
    },
  ];
  for (const set of sets) {
    it(`${set.name}: every object passes server-side dry-run`, async () => {
      const all = set.render();
      for (const kind of set.kinds) assert.ok(all.some((o) => o.kind === kind), `${set.name} renders a ${kind}`);
      const objs = servable(all);
      const r = await dryRun(objs);
      assert.equal(r.code, 0, r.out);
      assert.equal(r.lines.length, objs.length, `every object reported: ${r.out}`);
    });
  }

  it('the dry-runs left no trace (no Certificate, Issuer or NetworkPolicy was created)', async () => {
    const k = testCluster().kubectl;
    for (const [kind, name] of [['certificates.cert-manager.io', 'bulwark-webhook-tls'], ['issuers.cert-manager.io', 'bulwark-ca'], ['networkpolicy', 'bulwark-webhook']]) {
      assert.equal(await k.getJson(kind!, name!, 'bulwark-system'), undefined, `${kind} ${name}`);
    }
  });

  it("cert-manager's real schema is enforced (a Certificate with an unknown key algorithm is rejected)", async () => {
    const cert = renderKustomize(kubectl, 'overlays/dev').find((o) => o.kind === 'Certificate' && o.metadata.name === 'bulwark-webhook-tls')!;
    cert.spec.privateKey.algorithm = 'DSA';
    const r = await dryRun([cert]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /privateKey\.algorithm|Unsupported value/);
  });

  it("prometheus-operator's real schema is enforced (a rule without expr is rejected)", async function () {
    if (!monitoringCrds) this.skip();
    const rule = renderKustomize(kubectl, 'overlays/prod').find((o) => o.kind === 'PrometheusRule')!;
    delete rule.spec.groups[0].rules[0].expr;
    const r = await dryRun([rule]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /expr/);
  });
});
