/**
 * The webhook's NetworkPolicy as deploy/base ships it (and so every overlay): it is part of the base,
 * selects the webhook pods, lets in only the webhook's HTTPS port (admission and /metrics share it)
 * and lets out only the apiserver ports and DNS to the cluster DNS pods; the chart ships it on by
 * default with the same ports, peers and selectors. (The rendered chart is compared with the base
 * in test/integration/deploy/chart.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../../..');
const yaml = (rel: string) => parse(readFileSync(join(ROOT, rel), 'utf8')) as Record<string, any>;
const policy = yaml('deploy/base/networkpolicy.yaml');
const deployment = yaml('deploy/base/deployment.yaml');
const service = yaml('deploy/base/service.yaml');
const values = yaml('deploy/helm/bulwark/values.yaml').networkPolicy;

type Port = { protocol: string; port: number };
const ports = (rule: { ports?: Port[] }) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol}`).sort();

describe('deploy: NetworkPolicy of the webhook pods (deploy/base)', () => {
  const webhookPort = deployment.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'https');
  const ingress = policy.spec.ingress as { ports: Port[]; from?: any[] }[];
  const egress = policy.spec.egress as { ports: Port[]; to?: any[] }[];

  it('is in the base, so dev, staging and prod all ship it', () => {
    const k = yaml('deploy/base/kustomization.yaml');
    assert.ok(k.resources.includes('networkpolicy.yaml'));
    for (const overlay of ['dev', 'staging', 'prod']) assert.ok(yaml(`deploy/overlays/${overlay}/kustomization.yaml`).resources.includes('../../base'), overlay);
  });

  it("selects the webhook pods (the Deployment's pod labels) and restricts both directions", () => {
    assert.equal(policy.metadata.namespace, deployment.metadata.namespace);
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) assert.equal(deployment.spec.template.metadata.labels[k], v, k);
    assert.deepEqual([...policy.spec.policyTypes].sort(), ['Egress', 'Ingress']);
  });

  it("lets in only the webhook's HTTPS port, which the Service targets and /metrics shares", () => {
    assert.equal(ingress.length, 1);
    assert.deepEqual(ports(ingress[0]!), [`${webhookPort.containerPort}/TCP`]);
    assert.equal(service.spec.ports[0].targetPort, webhookPort.name);
    assert.ok(ingress[0]!.from?.length, 'an ingress rule without from would admit every source');
  });

  it('names the apiserver CIDR and the Prometheus namespace as the only ingress peers', () => {
    const from = ingress[0]!.from!;
    assert.deepEqual(from.filter((p) => p.ipBlock).map((p) => p.ipBlock.cidr), ['0.0.0.0/0']);
    assert.deepEqual(from.filter((p) => !p.ipBlock), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  });

  it('lets out only the apiserver ports and DNS, each rule with explicit ports and peers', () => {
    assert.equal(egress.length, 2);
    for (const rule of egress) {
      assert.ok(rule.ports?.length, 'an egress rule without ports would open every port');
      assert.ok(rule.to?.length, 'an egress rule without to would reach every destination');
    }
    assert.deepEqual(ports(egress[0]!), ['443/TCP', '6443/TCP']);
    assert.deepEqual(egress[0]!.to, [{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    assert.deepEqual(ports(egress[1]!), ['53/TCP', '53/UDP']);
  });

  it('sends DNS only to the cluster DNS pods in kube-system, not to every kube-system pod', () => {
    assert.deepEqual(egress[1]!.to, [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    ]);
  });

  it("the chart ships it on by default, with the base's peers, ports and DNS selectors", () => {
    assert.equal(values.enabled, true);
    const from = ingress[0]!.from!;
    assert.deepEqual(values.ingressCIDRs, from.filter((p) => p.ipBlock).map((p) => p.ipBlock.cidr));
    assert.deepEqual(values.ingressFrom, from.filter((p) => !p.ipBlock));
    assert.deepEqual(values.apiserverCIDRs, egress[0]!.to!.map((p) => p.ipBlock.cidr));
    assert.deepEqual(values.apiserverPorts.map((p: number) => `${p}/TCP`).sort(), ports(egress[0]!));
    assert.deepEqual(values.dns, { namespaceSelector: egress[1]!.to![0].namespaceSelector, podSelector: egress[1]!.to![0].podSelector });
  });
});
