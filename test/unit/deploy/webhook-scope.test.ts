/**
 * What fails closed during a webhook outage, read from deploy/base: every ConfigMap/Secret write
 * reaches exactly one validating entry, which fails closed only for what Bulwark manages (tenant and
 * environment namespaces, managed or tenant-labelled objects, old or new) and never for exempt
 * controller identities; timeouts are small and follow the failure policy; the chart's defaults list
 * the same exempt identities and timeouts. (Chart ↔ base parity of the rendered YAML:
 * test/integration/deploy/chart.test.ts; the real CEL against a real apiserver: test/e2e/outage.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CONDITIONS, calledFor, parseExempt, squash, type WebhookEntry, type Write } from './webhook-match.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const read = (rel: string) => parse(readFileSync(join(ROOT, rel), 'utf8')) as { webhooks: WebhookEntry[] };
const validating = read('deploy/base/validating-webhook.yaml').webhooks;
const mutating = read('deploy/base/mutating-webhook.yaml').webhooks;
const values = parse(readFileSync(join(ROOT, 'deploy/helm/bulwark/values.yaml'), 'utf8')) as Record<string, any>;
const configEntries = validating.filter((e) => e.rules.some((r) => r.resources.includes('configmaps')));
const exempt = parseExempt(configEntries.find((e) => e.name === 'config-exempt.bulwark.dev')!.matchConditions!.find((c) => c.name === 'exempt-identity')!.expression);

const NS: Record<string, Record<string, string>> = {
  'team-prod': { 'bulwark.dev/environment': 'prod', 'bulwark.dev/tenant': 'team-a' },
  'env-only': { 'bulwark.dev/environment': 'staging' },
  'tenant-only': { 'bulwark.dev/tenant': 'team-a' },
  plain: {},
  'kube-system': {},
  'bulwark-system': {},
};
const USERS: Record<string, { user: string; groups: string[] }> = {
  jane: { user: 'jane', groups: ['system:authenticated'] },
  certManager: { user: 'system:serviceaccount:cert-manager:cert-manager', groups: ['system:serviceaccounts', 'system:serviceaccounts:cert-manager', 'system:authenticated'] },
  otherCertManagerSA: { user: 'system:serviceaccount:cert-manager:cert-manager-cainjector', groups: ['system:serviceaccounts', 'system:serviceaccounts:cert-manager', 'system:authenticated'] },
  gc: { user: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
  kcm: { user: 'system:kube-controller-manager', groups: ['system:authenticated'] },
};
const MANAGED = { 'bulwark.dev/managed': 'true' };

function write(over: Partial<Write> & { ns: string; who?: string }): Write {
  const { ns, who = 'jane', ...rest } = over;
  return { kind: 'ConfigMap', operation: 'CREATE', namespace: ns, namespaceLabels: NS[ns]!, name: 'app', labels: {}, oldLabels: null, ...USERS[who]!, ...rest };
}

describe('deploy: which ConfigMap/Secret writes fail closed (deploy/base)', () => {
  const rows: { name: string; input: Write; want: string | undefined }[] = [
    { name: 'ordinary ConfigMap, unlabelled namespace', input: write({ ns: 'plain' }), want: 'config-other.bulwark.dev' },
    { name: 'ordinary Secret, unlabelled namespace', input: write({ ns: 'plain', kind: 'Secret', type: 'Opaque' }), want: 'config-other.bulwark.dev' },
    { name: 'any ConfigMap in a prod tenant namespace', input: write({ ns: 'team-prod' }), want: 'config.bulwark.dev' },
    { name: 'any Secret in a tenant namespace', input: write({ ns: 'tenant-only', kind: 'Secret' }), want: 'config.bulwark.dev' },
    { name: 'any ConfigMap in an environment namespace without tenant', input: write({ ns: 'env-only' }), want: 'config-environment.bulwark.dev' },
    { name: 'managed ConfigMap, unlabelled namespace', input: write({ ns: 'plain', labels: MANAGED }), want: 'config-managed.bulwark.dev' },
    { name: 'bulwark.dev/managed=false is not managed', input: write({ ns: 'plain', labels: { 'bulwark.dev/managed': 'false' } }), want: 'config-other.bulwark.dev' },
    { name: 'object labelled for a tenant, unlabelled namespace', input: write({ ns: 'plain', labels: { 'bulwark.dev/tenant': 'payments' } }), want: 'config-managed.bulwark.dev' },
    { name: 'UPDATE that removes the managed label', input: write({ ns: 'plain', operation: 'UPDATE', oldLabels: MANAGED }), want: 'config-managed.bulwark.dev' },
    { name: 'UPDATE that adds the managed label', input: write({ ns: 'plain', operation: 'UPDATE', oldLabels: {}, labels: MANAGED }), want: 'config-managed.bulwark.dev' },
    { name: "cert-manager's Secret in a prod namespace", input: write({ ns: 'team-prod', kind: 'Secret', type: 'kubernetes.io/tls', who: 'certManager' }), want: 'config-exempt.bulwark.dev' },
    { name: 'another cert-manager service account is not exempt', input: write({ ns: 'team-prod', who: 'otherCertManagerSA' }), want: 'config.bulwark.dev' },
    { name: 'a kube-system controller (group) updating a managed object', input: write({ ns: 'plain', operation: 'UPDATE', labels: MANAGED, oldLabels: MANAGED, who: 'gc' }), want: 'config-exempt.bulwark.dev' },
    { name: 'kube-controller-manager (user) in a prod namespace', input: write({ ns: 'team-prod', who: 'kcm' }), want: 'config-exempt.bulwark.dev' },
    { name: 'kube-root-ca.crt in a prod namespace', input: write({ ns: 'team-prod', name: 'kube-root-ca.crt', who: 'kcm' }), want: undefined },
    { name: 'service-account token Secret', input: write({ ns: 'team-prod', kind: 'Secret', type: 'kubernetes.io/service-account-token' }), want: undefined },
    { name: 'Helm release Secret', input: write({ ns: 'plain', kind: 'Secret', type: 'helm.sh/release.v1' }), want: undefined },
    { name: 'kube-system', input: write({ ns: 'kube-system', labels: MANAGED }), want: undefined },
    { name: "Bulwark's own namespace", input: write({ ns: 'bulwark-system', labels: MANAGED }), want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(calledFor(configEntries, row.input, exempt).map((e) => e.name), row.want ? [row.want] : []);
    });
  }

  it('routes every combination of namespace, labels, old labels and identity to exactly one entry, failing closed exactly for what Bulwark manages', () => {
    const labelSets: Record<string, string>[] = [{}, MANAGED, { 'bulwark.dev/tenant': 'x' }, { 'bulwark.dev/managed': 'no' }];
    let n = 0;
    for (const ns of ['team-prod', 'env-only', 'tenant-only', 'plain']) {
      for (const who of Object.keys(USERS)) {
        for (const kind of ['ConfigMap', 'Secret'] as const) {
          for (const labels of labelSets) {
            for (const oldLabels of [null, ...labelSets]) {
              const w = write({ ns, who, kind, labels, oldLabels, operation: oldLabels ? 'UPDATE' : 'CREATE' });
              const called = calledFor(configEntries, w, exempt);
              assert.equal(called.length, 1, `${JSON.stringify(w)} reaches ${called.map((e) => e.name).join(', ') || 'nothing'}`);
              const managed = Object.keys(NS[ns]!).length > 0 || CONDITIONS['managed-or-tenant-labelled']!.holds(w, exempt);
              const exempted = CONDITIONS['exempt-identity']!.holds(w, exempt);
              assert.equal(called[0]!.failurePolicy, managed && !exempted ? 'Fail' : 'Ignore', `${called[0]!.name} for ${JSON.stringify(w)}`);
              n += 1;
            }
          }
        }
      }
    }
    assert.ok(n > 500, `${n} combinations`);
  });

  it('every matchCondition of a ConfigMap/Secret entry has the CEL the model assumes, with one exempt list everywhere', () => {
    for (const e of configEntries) {
      for (const c of e.matchConditions ?? []) {
        assert.equal(squash(c.expression), squash(CONDITIONS[c.name]!.cel(exempt)), `${e.name} ${c.name}`);
      }
    }
  });

  it('exempts cert-manager, trust-manager and the controller-manager by default, never cluster admins', () => {
    assert.deepEqual(exempt.users, ['system:kube-controller-manager', 'system:serviceaccount:cert-manager:cert-manager', 'system:serviceaccount:cert-manager:trust-manager']);
    assert.deepEqual(exempt.groups, ['system:serviceaccounts:kube-system']);
    for (const admin of ['system:masters', 'system:authenticated', 'system:serviceaccounts']) assert.ok(!exempt.groups.includes(admin), admin);
  });

  it("the chart's default exempt identities are the base's", () => {
    assert.deepEqual(values.webhook.failClosed, { exemptUsers: exempt.users, exemptGroups: exempt.groups });
  });
});

describe('deploy: webhook timeouts (deploy/base)', () => {
  const WANT = { Fail: 5, Ignore: 3 } as const;
  for (const e of validating) {
    it(`${e.name}: timeoutSeconds ${WANT[e.failurePolicy]} for failurePolicy ${e.failurePolicy}`, () => {
      assert.equal(e.timeoutSeconds, WANT[e.failurePolicy]);
    });
  }
  for (const e of mutating) {
    it(`${e.name}: timeoutSeconds 3 (mutating webhooks run in sequence and may be reinvoked)`, () => {
      assert.equal(e.failurePolicy, 'Ignore');
      assert.equal(e.timeoutSeconds, 3);
    });
  }
  it('every timeout is within the API bound 1..30 and below the Kubernetes default of 10', () => {
    for (const e of [...validating, ...mutating]) assert.ok(e.timeoutSeconds >= 1 && e.timeoutSeconds < 10, e.name);
  });
  it("the chart's default timeouts are the base's", () => {
    assert.deepEqual(values.webhook.timeoutSeconds, { mutate: 3, validate: WANT.Fail, validateFailOpen: WANT.Ignore });
  });
  it('documents and labelled namespaces still fail closed; workloads and other namespaces fail open', () => {
    const policy = Object.fromEntries(validating.map((e) => [e.name, e.failurePolicy]));
    assert.deepEqual(
      ['documents', 'namespaces', 'workloads', 'namespaces-other'].map((n) => policy[`${n}.bulwark.dev`]),
      ['Fail', 'Fail', 'Ignore', 'Ignore'],
    );
  });
});
