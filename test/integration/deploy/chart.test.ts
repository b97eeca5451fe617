/**
 * Lints and renders the Helm chart with the real helm, renders every kustomize overlay with
 * kubectl's kustomize, and checks that the chart and the kustomize base agree on what matters
 * (webhook rules, failure policies, timeouts, selectors/matchConditions, RBAC, the webhook's
 * command and security), and that the chart's values change exactly what they claim to.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deploymentEssentials, rbacEssentials, webhookEssentials, withoutEnv } from './essentials.js';
import { CHART, cleanupRender, one, renderChart, renderKustomize, tryRenderChart, type Manifest } from './render.js';
import { ROOT, requireTool, runTool } from './tools.js';

const INJECT_CA = 'cert-manager.io/inject-ca-from';
const WEBHOOK_KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
/** Settings the chart passes explicitly (same values as the webhook's defaults the base relies on). */
const CHART_ONLY_ENV = ['BULWARK_LOG_LEVEL', 'BULWARK_SIDECAR_IMAGE', 'BULWARK_NATIVE_SIDECAR', 'BULWARK_VOLUME_SIZE_LIMIT', 'BULWARK_SIDECAR_CPU_REQUEST', 'BULWARK_SIDECAR_MEMORY_REQUEST', 'BULWARK_SIDECAR_CPU_LIMIT', 'BULWARK_SIDECAR_MEMORY_LIMIT'];

function webhookByName(objects: Manifest[], name: string): any {
  for (const c of objects.filter((o) => WEBHOOK_KINDS.includes(o.kind))) for (const w of c.webhooks) if (w.name === name) return w;
  throw new Error(`no webhook ${name}`);
}

describe('deploy: Helm chart and kustomize overlays', function () {
  this.timeout(120_000);
  let helm: string;
  let kubectl: string;
  let base: Manifest[];
  let chart: Manifest[];

  before(function () {
    helm = requireTool(this, 'helm');
    kubectl = requireTool(this, 'kubectl');
    base = renderKustomize(kubectl, 'base');
    chart = renderChart(helm);
  });
  after(() => cleanupRender());

  it('helm lint --strict passes', () => {
    const r = runTool(helm, ['lint', '--strict', CHART, '--kube-version', '1.34.0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  describe('chart defaults agree with deploy/base', () => {
    for (const kind of WEBHOOK_KINDS) {
      it(`${kind}: same webhooks, rules, failure policies, timeouts, selectors and matchConditions`, () => {
        assert.deepEqual(webhookEssentials(one(chart, kind)), webhookEssentials(one(base, kind)));
        assert.equal(one(chart, kind).metadata.name, one(base, kind).metadata.name);
      });
    }
    it('RBAC: same roles, rules and bindings', () => {
      assert.deepEqual(rbacEssentials(chart), rbacEssentials(base));
      assert.ok(Object.keys(rbacEssentials(base)).length >= 5, 'the comparison saw the RBAC objects');
    });
    it('webhook Deployment: same command, settings, probes, security context and volumes', () => {
      assert.deepEqual(withoutEnv(deploymentEssentials(one(chart, 'Deployment')), CHART_ONLY_ENV), deploymentEssentials(one(base, 'Deployment')));
      assert.equal(one(chart, 'Deployment').spec.replicas, one(base, 'Deployment').spec.replicas);
    });
    it('Service, ServiceAccount and PodDisruptionBudget have the same names and shape', () => {
      assert.deepEqual(one(chart, 'Service').spec.ports, one(base, 'Service').spec.ports);
      assert.equal(one(chart, 'ServiceAccount').metadata.name, one(base, 'ServiceAccount').metadata.name);
      assert.equal(one(chart, 'PodDisruptionBudget').spec.minAvailable, one(base, 'PodDisruptionBudget').spec.minAvailable);
    });
    it('the comparison would notice a changed failure policy', () => {
      const changed = renderChart(helm, { set: ['webhook.failurePolicy.config=Ignore'] });
      assert.notDeepEqual(webhookEssentials(one(changed, 'ValidatingWebhookConfiguration')), webhookEssentials(one(base, 'ValidatingWebhookConfiguration')));
    });
    it("the chart's CRDs are deploy/crds, byte for byte", () => {
      const want = readdirSync(join(ROOT, 'deploy/crds')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
      const got = readdirSync(join(CHART, 'crds')).sort();
      assert.deepEqual(got, want, 'copy deploy/crds/*.yaml into deploy/helm/bulwark/crds/');
      for (const f of want) assert.equal(readFileSync(join(CHART, 'crds', f), 'utf8'), readFileSync(join(ROOT, 'deploy/crds', f), 'utf8'), f);
    });
  });

  describe('chart values', () => {
    it('failure policies and timeouts are set per webhook', () => {
      const objs = renderChart(helm, { set: ['webhook.failurePolicy.inject=Fail', 'webhook.timeoutSeconds.mutate=5', 'webhook.timeoutSeconds.validate=3'] });
      assert.equal(webhookByName(objs, 'inject-annotated.bulwark.dev').failurePolicy, 'Fail');
      assert.equal(webhookByName(objs, 'inject-annotated.bulwark.dev').timeoutSeconds, 5);
      assert.equal(webhookByName(objs, 'config.bulwark.dev').failurePolicy, 'Fail');
      assert.equal(webhookByName(objs, 'config.bulwark.dev').timeoutSeconds, 3);
      assert.equal(webhookByName(objs, 'workloads.bulwark.dev').failurePolicy, 'Ignore');
    });
    it('an invalid failure policy or timeout is rejected by values.schema.json', () => {
      for (const set of ['webhook.failurePolicy.config=Maybe', 'webhook.timeoutSeconds.validate=31', 'image.tag=latest']) {
        const r = tryRenderChart(helm, { set: [set] });
        assert.equal(r.ok, false, set);
      }
    });
    it('installed in another namespace, that namespace is excluded and referenced everywhere', () => {
      const objs = renderChart(helm, { namespace: 'security', release: 'guard' });
      for (const c of objs.filter((o) => WEBHOOK_KINDS.includes(o.kind))) {
        assert.equal(c.metadata.annotations?.[INJECT_CA], 'security/guard-bulwark-webhook-tls');
        for (const w of c.webhooks) {
          const names = w.namespaceSelector.matchExpressions.find((e: any) => e.key === 'kubernetes.io/metadata.name').values;
          assert.deepEqual([...names].sort(), ['kube-public', 'kube-system', 'security']);
          assert.deepEqual(w.clientConfig.service, { name: 'guard-bulwark-webhook', namespace: 'security', path: w.clientConfig.service.path, port: 443 });
        }
      }
      const cert = one(objs, 'Certificate', 'guard-bulwark-webhook-tls');
      assert.ok(cert.spec.dnsNames.includes('guard-bulwark-webhook.security.svc'));
      assert.equal(one(objs, 'Deployment').spec.template.spec.volumes[0].secret.secretName, cert.spec.secretName);
    });
    it('without cert-manager: no cert-manager objects, and the caBundle is required and set on every webhook', () => {
      const missing = tryRenderChart(helm, { set: ['certManager.enabled=false'] });
      assert.equal(missing.ok, false);
      assert.match((missing as { error: string }).error, /tls\.caBundle is required/);
      const objs = renderChart(helm, { set: ['certManager.enabled=false', 'tls.caBundle=Q0EK', 'tls.secretName=my-tls'] });
      assert.equal(objs.filter((o) => o.apiVersion.startsWith('cert-manager.io/')).length, 0);
      for (const c of objs.filter((o) => WEBHOOK_KINDS.includes(o.kind))) {
        assert.equal(c.metadata.annotations?.[INJECT_CA], undefined);
        for (const w of c.webhooks) assert.equal(w.clientConfig.caBundle, 'Q0EK');
      }
      assert.equal(one(objs, 'Deployment').spec.template.spec.volumes[0].secret.secretName, 'my-tls');
    });
    it('replicas, image, sidecar defaults and extra namespace exclusions', () => {
      const objs = renderChart(helm, {
        set: ['replicaCount=3', 'image.tag=1.2.3', 'sidecar.image.tag=1.2.4', 'sidecar.resources.limits.memory=256Mi', 'webhook.extraNamespaceSelectorExpressions[0].key=bulwark.dev/ignore', 'webhook.extraNamespaceSelectorExpressions[0].operator=DoesNotExist'],
      });
      const d = one(objs, 'Deployment');
      assert.equal(d.spec.replicas, 3);
      assert.equal(d.spec.template.spec.containers[0].image, 'ghcr.io/bulwark-dev/bulwark-webhook:1.2.3');
      const env = Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      assert.equal(env.BULWARK_SIDECAR_IMAGE, 'ghcr.io/bulwark-dev/bulwark-sidecar:1.2.4');
      assert.equal(env.BULWARK_SIDECAR_MEMORY_LIMIT, '256Mi');
      assert.deepEqual(webhookByName(objs, 'config.bulwark.dev').namespaceSelector.matchExpressions[1], { key: 'bulwark.dev/ignore', operator: 'DoesNotExist' });
    });
    it('the chart passes the webhook its own defaults for the sidecar (base relies on them)', async () => {
      const { SETTINGS } = await import('../../../webhook/config/options.js');
      const env = Object.fromEntries(one(chart, 'Deployment').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      for (const name of CHART_ONLY_ENV.filter((n) => n !== 'BULWARK_SIDECAR_IMAGE')) {
        const def = SETTINGS.find((s) => s.env === name);
        assert.ok(def, `${name} is a webhook setting`);
        assert.equal(env[name], String(def.default), name);
      }
    });
    it('monitoring: the same objects as deploy/monitoring', () => {
      const objs = renderChart(helm, { set: ['monitoring.serviceMonitor.enabled=true', 'monitoring.podMonitor.enabled=true', 'monitoring.prometheusRule.enabled=true', 'monitoring.dashboard.enabled=true'] });
      const staging = renderKustomize(kubectl, 'overlays/staging');
      assert.deepEqual(one(objs, 'PrometheusRule').spec, one(staging, 'PrometheusRule').spec);
      assert.deepEqual(JSON.parse(one(objs, 'ConfigMap').data['bulwark.json']), JSON.parse(one(staging, 'ConfigMap', 'bulwark-grafana-dashboard').data['bulwark.json']));
      for (const kind of ['ServiceMonitor', 'PodMonitor']) {
        const strip = (m: Manifest) => ({ ...m.spec, selector: undefined, interval: undefined });
        assert.deepEqual(strip(one(objs, kind)), strip(one(staging, kind)), kind);
      }
    });
    it("NetworkPolicy: on by default with deploy/base's spec; off with networkPolicy.enabled=false", () => {
      assert.deepEqual(one(chart, 'NetworkPolicy').spec, one(base, 'NetworkPolicy').spec);
      assert.equal(renderChart(helm, { set: ['networkPolicy.enabled=false'] }).some((o) => o.kind === 'NetworkPolicy'), false);
    });
    it('NetworkPolicy: the apiserver CIDRs and ports, the metrics peers and the DNS pods are values', () => {
      const objs = renderChart(helm, {
        set: ['networkPolicy.ingressCIDRs={10.0.0.0/24,10.0.1.0/24}', 'networkPolicy.apiserverCIDRs={10.0.0.10/32}', 'networkPolicy.apiserverPorts={443}', 'networkPolicy.ingressFrom=null', 'networkPolicy.dns.podSelector.matchLabels.k8s-app=coredns'],
      });
      const spec = one(objs, 'NetworkPolicy').spec;
      assert.deepEqual(spec.ingress, [{ ports: [{ protocol: 'TCP', port: 8443 }], from: [{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '10.0.1.0/24' } }] }]);
      assert.deepEqual(spec.egress[0], { ports: [{ protocol: 'TCP', port: 443 }], to: [{ ipBlock: { cidr: '10.0.0.10/32' } }] });
      assert.equal(spec.egress[1].to[0].podSelector.matchLabels['k8s-app'], 'coredns');
    });
    it('NetworkPolicy: an empty CIDR or port list (which would open everything) and a malformed CIDR are rejected', () => {
      const lists = ['networkPolicy.ingressCIDRs', 'networkPolicy.apiserverCIDRs', 'networkPolicy.apiserverPorts'];
      for (const set of [...lists.map((l) => `${l}={}`), ...lists.map((l) => `${l}=null`), 'networkPolicy.ingressCIDRs={10.0.0.0}']) {
        assert.equal(tryRenderChart(helm, { set: [set] }).ok, false, set);
      }
    });
    it('fail-closed exemptions: webhook.failClosed.exemptUsers/exemptGroups reach every ConfigMap/Secret entry', () => {
      const objs = renderChart(helm, { set: ['webhook.failClosed.exemptUsers={system:serviceaccount:flux-system:notifier}', 'webhook.failClosed.exemptGroups=null'] });
      const names = ['config.bulwark.dev', 'config-environment.bulwark.dev', 'config-managed.bulwark.dev', 'config-other.bulwark.dev', 'config-exempt.bulwark.dev'];
      for (const name of names) {
        const cond = webhookByName(objs, name).matchConditions.find((c: any) => /exempt-identity$/.test(c.name));
        assert.match(cond.expression, /request\.userInfo\.username in \['system:serviceaccount:flux-system:notifier'\]/, name);
        assert.match(cond.expression, /g in \[\]/, name);
      }
      assert.equal(tryRenderChart(helm, { set: ["webhook.failClosed.exemptUsers={a'b}"] }).ok, false, 'a quote would break out of the CEL string');
    });
    it('timeouts follow each validating entry\'s failure policy', () => {
      const objs = renderChart(helm, { set: ['webhook.failurePolicy.workloads=Fail', 'webhook.failurePolicy.configOther=Fail', 'webhook.timeoutSeconds.validate=7', 'webhook.timeoutSeconds.validateFailOpen=2'] });
      assert.equal(webhookByName(objs, 'workloads.bulwark.dev').timeoutSeconds, 7);
      assert.equal(webhookByName(objs, 'config-other.bulwark.dev').failurePolicy, 'Fail');
      assert.equal(webhookByName(objs, 'config-other.bulwark.dev').timeoutSeconds, 7);
      assert.equal(webhookByName(objs, 'namespaces-other.bulwark.dev').timeoutSeconds, 2);
      assert.equal(webhookByName(objs, 'config-managed.bulwark.dev').timeoutSeconds, 7);
    });
  });

  describe('kustomize overlays', () => {
    const rows = [
      { name: 'dev', replicas: 1, tag: 'dev', pdb: { maxUnavailable: 1 }, networkPolicy: true, monitoring: false },
      { name: 'staging', replicas: 2, tag: '0.1.0', pdb: { minAvailable: 1 }, networkPolicy: true, monitoring: true },
      { name: 'prod', replicas: 3, tag: '0.1.0', pdb: { minAvailable: 2 }, networkPolicy: true, monitoring: true },
    ];
    for (const row of rows) {
      it(`${row.name}: renders with ${row.replicas} replica(s), cert-manager CA injection and the base's webhooks`, () => {
        const objs = renderKustomize(kubectl, `overlays/${row.name}`);
        const d = one(objs, 'Deployment');
        assert.equal(d.spec.replicas, row.replicas);
        assert.equal(d.spec.template.spec.containers[0].image, `ghcr.io/bulwark-dev/bulwark-webhook:${row.tag}`);
        const pdb = one(objs, 'PodDisruptionBudget').spec;
        assert.deepEqual({ minAvailable: pdb.minAvailable, maxUnavailable: pdb.maxUnavailable }, { minAvailable: undefined, maxUnavailable: undefined, ...row.pdb });
        for (const kind of WEBHOOK_KINDS) {
          assert.equal(one(objs, kind).metadata.annotations?.[INJECT_CA], 'bulwark-system/bulwark-webhook-tls');
          assert.deepEqual(webhookEssentials(one(objs, kind)), webhookEssentials(one(base, kind)), 'overlays never change admission behaviour');
        }
        const cert = one(objs, 'Certificate', 'bulwark-webhook-tls');
        assert.equal(cert.spec.secretName, d.spec.template.spec.volumes.find((v: any) => v.name === 'tls').secret.secretName);
        assert.ok(cert.spec.dnsNames.includes('bulwark-webhook.bulwark-system.svc'));
        assert.equal(objs.some((o) => o.kind === 'NetworkPolicy'), row.networkPolicy);
        assert.equal(objs.some((o) => o.kind === 'PrometheusRule'), row.monitoring);
      });
    }
    it('prod spreads replicas over zones and strictly over nodes', () => {
      const spread = one(renderKustomize(kubectl, 'overlays/prod'), 'Deployment').spec.template.spec.topologySpreadConstraints;
      assert.deepEqual(spread.map((s: any) => [s.topologyKey, s.whenUnsatisfiable]), [
        ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
        ['kubernetes.io/hostname', 'DoNotSchedule'],
      ]);
    });
    it('the chart with cert-manager renders the same Certificate and Issuers as deploy/cert-manager', () => {
      const dev = renderKustomize(kubectl, 'overlays/dev');
      for (const [kind, name] of [['Certificate', 'bulwark-webhook-tls'], ['Certificate', 'bulwark-ca'], ['Issuer', 'bulwark-ca'], ['Issuer', 'bulwark-selfsigned']] as const) {
        assert.deepEqual(one(chart, kind, name).spec, one(dev, kind, name).spec, `${kind} ${name}`);
      }
    });
  });

  it("the base Deployment's args run `node dist/webhook/cli.js serve` with the image's entrypoint", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile.webhook'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    const args = one(base, 'Deployment').spec.template.spec.containers[0].args as string[];
    assert.deepEqual([...entrypoint, ...args.slice(0, 2)], ['/nodejs/bin/node', 'dist/webhook/cli.js', 'serve']);
    const pkg = parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(pkg.bin.bulwark, args[0]);
  });
});
