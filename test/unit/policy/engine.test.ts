import assert from 'node:assert/strict';
import { evaluate } from '../../../webhook/policy/engine.js';
import { buildDocumentSet } from '../../../webhook/policy/document-set.js';
import type { ConfigPolicy } from '../../../webhook/policy/documents.js';
import { policyLevel, resolveUnits } from '../../../webhook/policy/select.js';
import { leakyConfigMap, policy, request, state } from './helpers.js';

const OWN = 'bulwark-system';

function run(policies: ConfigPolicy[], obj = leakyConfigMap(), ns?: string) {
  if (ns) obj = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
  return evaluate({ request: request(obj), docs: buildDocumentSet(policies), state: state(), ownNamespace: OWN });
}

describe('policy engine: matching', () => {
  const leaks = [{ rule: 'secret-leaks' }];
  const rows: Array<{ name: string; policies: ConfigPolicy[]; ns?: string; want: string[] }> = [
    { name: 'cluster policy applies everywhere', policies: [policy('p', { rules: leaks })], want: ['fail'] },
    { name: 'environment match hits prod', policies: [policy('p', { rules: leaks, match: { environments: ['prod'] } })], want: ['fail'] },
    { name: 'environment match misses dev', policies: [policy('p', { rules: leaks, match: { environments: ['prod'] } })], ns: 'team-b', want: [] },
    { name: 'tenant match', policies: [policy('p', { rules: leaks, match: { tenants: ['toys'] } })], ns: 'team-b', want: ['fail'] },
    { name: 'kind mismatch', policies: [policy('p', { rules: leaks, match: { kinds: ['Secret'] } })], want: [] },
    { name: 'operation mismatch', policies: [policy('p', { rules: leaks, match: { operations: ['DELETE'] } })], want: [] },
    { name: 'namespace selector', policies: [policy('p', { rules: leaks, match: { namespaceSelector: { matchLabels: { 'bulwark.dev/tenant': 'shop' } } } })], want: ['fail'] },
    { name: 'object selector miss', policies: [policy('p', { rules: leaks, match: { selector: { matchLabels: { tier: 'gold' } } } })], want: [] },
    { name: 'names glob', policies: [policy('p', { rules: leaks, match: { names: ['ap*'] } })], want: ['fail'] },
    { name: 'namespaces list miss', policies: [policy('p', { rules: leaks, match: { namespaces: ['other'] } })], want: [] },
    { name: 'namespaced policy applies in its namespace', policies: [policy('p', { rules: leaks }, 'team-a')], want: ['fail'] },
    { name: 'namespaced policy ignores other namespaces', policies: [policy('p', { rules: leaks }, 'team-b')], want: [] },
    { name: 'policy in own namespace is cluster-wide', policies: [policy('p', { rules: leaks }, OWN)], ns: 'team-b', want: ['fail'] },
    { name: 'own namespace is exempt', policies: [policy('p', { rules: leaks })], ns: OWN, want: [] },
    { name: 'kube-system is exempt', policies: [policy('p', { rules: leaks })], ns: 'kube-system', want: [] },
    { name: 'rule not applicable to the kind gives no finding', policies: [policy('p', { rules: [{ rule: 'references' }] })], want: [] },
    { name: 'clean object passes', policies: [policy('p', { rules: [{ rule: 'immutability' }] })], want: ['pass'] },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(run(row.policies, leakyConfigMap(), row.ns).map((f) => f.result), row.want));
  }
});

describe('policy engine: precedence', () => {
  it('implies levels: cluster by default, namespace when namespaced outside the own namespace', () => {
    assert.equal(policyLevel(policy('a', { rules: [] }), OWN), 'cluster');
    assert.equal(policyLevel(policy('a', { rules: [] }, 'team-a'), OWN), 'namespace');
    assert.equal(policyLevel(policy('a', { rules: [] }, OWN), OWN), 'cluster');
    assert.equal(policyLevel(policy('a', { rules: [], level: 'environment' }), OWN), 'environment');
    // A policy in a tenant namespace cannot claim a broader level than namespace.
    assert.equal(policyLevel(policy('a', { rules: [], level: 'cluster' }, 'team-a'), OWN), 'namespace');
    assert.equal(policyLevel(policy('a', { rules: [], level: 'workload' }, 'team-a'), OWN), 'workload');
  });

  it('a more specific level overrides an audit rule: mode and params', () => {
    const findings = run([
      policy('cluster-audit', { mode: 'audit', rules: [{ rule: 'immutability', params: { requireImmutable: true, versionedNames: true } }] }),
      policy('ns-enforce', { rules: [{ rule: 'immutability', params: { versionedNames: false } }] }, 'team-a'),
    ]);
    assert.deepEqual(findings.map((f) => [f.policy, f.mode, f.level, f.result]), [['team-a/ns-enforce', 'enforce', 'namespace', 'fail']]);
    assert.match(findings[0]!.message, /must set immutable: true/, 'inherits requireImmutable from the audit policy');
  });

  it('a more specific level can relax an audit rule', () => {
    const findings = run([
      policy('cluster-audit', { mode: 'audit', rules: [{ rule: 'secret-leaks' }] }),
      policy('ns-allow', { mode: 'audit', rules: [{ rule: 'secret-leaks', params: { allowKeys: ['DB_PASSWORD'] } }] }, 'team-a'),
    ]);
    assert.deepEqual(findings.map((f) => [f.policy, f.result]), [['team-a/ns-allow', 'pass']]);
  });

  const weaken = [
    { name: 'switching to audit', lower: { mode: 'audit' as const, rules: [{ rule: 'secret-leaks' }] } },
    { name: 'a per-rule audit mode', lower: { rules: [{ rule: 'secret-leaks', mode: 'audit' as const }] } },
    { name: 'allow-listing the key', lower: { rules: [{ rule: 'secret-leaks', params: { allowKeys: ['DB_PASSWORD'] } }] } },
    { name: 'disabling detectors', lower: { mode: 'audit' as const, level: 'workload' as const, rules: [{ rule: 'secret-leaks', params: { detectors: [] } }] } },
  ];
  for (const row of weaken) {
    it(`a lower level cannot weaken an enforce rule by ${row.name}`, () => {
      const findings = run([policy('cluster-enforce', { rules: [{ rule: 'secret-leaks' }] }), policy('ns', row.lower, 'team-a')]);
      const deny = findings.filter((f) => f.result === 'fail' && f.mode === 'enforce');
      assert.equal(deny.length, 1);
      assert.equal(deny[0]!.policy, 'cluster-enforce');
    });
  }

  it('merges identical findings, keeping the enforce one', () => {
    const findings = run([policy('b-audit', { mode: 'audit', rules: [{ rule: 'secret-leaks' }] }), policy('a-enforce', { rules: [{ rule: 'secret-leaks' }] })]);
    const fails = findings.filter((f) => f.result === 'fail');
    assert.deepEqual(fails.map((f) => [f.policy, f.mode]), [['a-enforce', 'enforce']]);
  });

  it('resolves units in level order and records what was overridden', () => {
    const units = resolveUnits(
      [
        policy('w', { level: 'workload', rules: [{ rule: 'schema', params: { maxErrors: 5 } }] }),
        policy('c', { mode: 'audit', rules: [{ rule: 'schema', params: { required: true } }] }),
        policy('e', { mode: 'audit', level: 'environment', rules: [{ rule: 'schema', params: { maxErrors: 9 } }] }),
      ],
      OWN,
    );
    assert.deepEqual(units, [{ policy: 'w', rule: 'schema', level: 'workload', mode: 'enforce', params: { required: true, maxErrors: 5 }, overrides: ['e', 'c'] }]);
  });
});

describe('policy engine: results', () => {
  it('reports a broken policy (invalid params) as error, never as fail', () => {
    const findings = run([policy('broken', { rules: [{ rule: 'secret-leaks', params: { minEntropy: 'high' } }] })]);
    assert.deepEqual(findings.map((f) => f.result), ['error']);
    assert.match(findings[0]!.message, /invalid params: \/minEntropy must be number/);
  });

  it('reports a ConfigSchema that does not compile as error', () => {
    const docs = buildDocumentSet([
      policy('p', { rules: [{ rule: 'schema' }] }),
      { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigSchema', metadata: { name: 'bad' }, spec: { schema: { type: 'object', properties: { a: { type: 'nonsense' } } } } },
    ]);
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a', annotations: { 'bulwark.dev/schema': 'bad' } }, data: { a: 'b' } };
    const findings = evaluate({ request: request(obj), docs, state: state(), ownNamespace: OWN });
    assert.deepEqual(findings.map((f) => f.result), ['error']);
  });

  it('skips the references rule when state is not authoritative', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a' }, spec: { containers: [{ name: 'a', image: 'a' }], volumes: [{ name: 'v', configMap: { name: 'x' } }] } };
    const docs = buildDocumentSet([policy('p', { rules: [{ rule: 'references' }] })]);
    const got = (authoritative: boolean) => evaluate({ request: request(pod), docs, state: state(authoritative), ownNamespace: OWN }).map((f) => f.result);
    assert.deepEqual(got(false), ['skip']);
    assert.deepEqual(got(true), ['fail']);
  });

  it('evaluates DELETE against the old object only when the policy lists DELETE', () => {
    const docs = buildDocumentSet([policy('p', { rules: [{ rule: 'secret-leaks' }], match: { operations: ['DELETE'] } })]);
    const req = { ...request(leakyConfigMap()), operation: 'DELETE' as const, object: null, oldObject: leakyConfigMap() };
    assert.deepEqual(evaluate({ request: req, docs, state: state(), ownNamespace: OWN }).map((f) => f.result), ['fail']);
  });
});
