/**
 * The pure drift core: an existing object evaluated as a CREATE by the real policy engine gives the
 * findings a user would see (enforce denials, audit and advice warnings; not broken policies), exempt
 * namespaces give none, values never reach a message, fingerprints are stable, the gauge counts objects,
 * and the Event names object, policy, rule and the fix without a value.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../webhook/admission/types.js';
import { buildDriftEvent, driftEventMessage, MAX_EVENT_MESSAGE } from '../../../webhook/controllers/drift-event.js';
import { driftGaugeRows, driftRequest, findDrift, fingerprint, scrubValues, type DriftFinding } from '../../../webhook/controllers/drift-findings.js';
import type { Tenant } from '../../../webhook/policy/documents.js';
import { buildDocumentSet } from '../../../webhook/policy/loader.js';
import { policy, state } from '../policy/helpers.js';

const SECRET_VALUE = 'qT7vN2xLp9Rz4wKm8eYc';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Documents: an enforce immutability policy for team-a, an audit secret-leaks policy everywhere, a broken one, and Tenant shop. */
function docs() {
  return buildDocumentSet([
    policy('must-be-immutable', { match: { kinds: ['ConfigMap', 'Secret'], namespaces: ['team-a'] }, rules: [{ rule: 'immutability', params: { requireImmutable: true, managed: 'matched' } }] }),
    policy('leaks', { mode: 'audit', match: { kinds: ['ConfigMap'] }, rules: [{ rule: 'secret-leaks' }] }),
    policy('broken', { match: { kinds: ['ConfigMap'] }, rules: [{ rule: 'no-such-rule' }] }),
    { apiVersion: 'bulwark.dev/v1alpha1', kind: 'Tenant', metadata: { name: 'shop' }, spec: { namespaces: ['team-a'] } as Tenant['spec'] },
  ]);
}

function cm(ns: string, name: string, data: Record<string, string>, immutable?: boolean): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, uid: `uid-${name}` }, data, ...(immutable !== undefined ? { immutable } : {}) };
}

describe('controllers/drift-findings', () => {
  it('builds a CREATE request for the existing object, as the apiserver would send it', () => {
    const req = driftRequest('Secret', { metadata: { name: 'db', namespace: 'team-a', uid: 'u1' }, data: { p: b64('x') } });
    assert.equal(req.operation, 'CREATE');
    assert.deepEqual(req.kind, { group: '', version: 'v1', kind: 'Secret' });
    assert.equal(req.namespace, 'team-a');
    assert.equal(req.name, 'db');
    assert.equal(req.object!.kind, 'Secret');
    assert.equal(req.oldObject, undefined);
  });

  const rows: Array<{ name: string; object: KubeObject; kind: 'ConfigMap' | 'Secret'; want: Array<Pick<DriftFinding, 'policy' | 'rule' | 'mode' | 'result' | 'tenant'>> }> = [
    { name: 'compliant object: no findings', kind: 'ConfigMap', object: cm('team-a', 'ok', { level: 'info' }, true), want: [] },
    { name: 'mutable ConfigMap in team-a: enforce fail, tenant shop', kind: 'ConfigMap', object: cm('team-a', 'app', { level: 'info' }), want: [{ policy: 'must-be-immutable', rule: 'immutability', mode: 'enforce', result: 'fail', tenant: 'shop' }] },
    { name: 'leaky ConfigMap in team-b: audit fail, tenant without document is "other"', kind: 'ConfigMap', object: cm('team-b', 'app', { DB_PASSWORD: SECRET_VALUE }, true), want: [{ policy: 'leaks', rule: 'secret-leaks', mode: 'audit', result: 'fail', tenant: 'other' }] },
    { name: 'mutable Secret in team-a: enforce fail', kind: 'Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'team-a', uid: 'u' }, data: { password: b64(SECRET_VALUE) } }, want: [{ policy: 'must-be-immutable', rule: 'immutability', mode: 'enforce', result: 'fail', tenant: 'shop' }] },
    { name: "Bulwark's own namespace is exempt", kind: 'ConfigMap', object: cm('bulwark-system', 'app', { DB_PASSWORD: SECRET_VALUE }), want: [] },
    { name: 'kube-system is exempt', kind: 'ConfigMap', object: cm('kube-system', 'app', { DB_PASSWORD: SECRET_VALUE }), want: [] },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const got = findDrift({ kind: r.kind, object: r.object, docs: docs(), state: state(), ownNamespace: 'bulwark-system' });
      assert.deepEqual(
        got.map((f) => ({ policy: f.policy, rule: f.rule, mode: f.mode, result: f.result, tenant: f.tenant })),
        r.want,
      );
      for (const f of got) {
        assert.equal(f.name, r.object.metadata!.name);
        assert.ok(!f.message.includes(SECRET_VALUE), 'no value in a finding message');
      }
    });
  }

  const scrubs: Array<{ name: string; text: string; object: KubeObject; want: string }> = [
    { name: 'a Secret value (decoded) is redacted', text: `key password holds ${SECRET_VALUE}`, object: { kind: 'Secret', data: { password: b64(SECRET_VALUE) } }, want: 'key password holds [redacted]' },
    { name: 'a Secret value in base64 is redacted', text: `raw ${b64(SECRET_VALUE)}`, object: { kind: 'Secret', data: { password: b64(SECRET_VALUE) } }, want: 'raw [redacted]' },
    { name: 'one line of a multi-line value is redacted', text: 'line MIIEowIBAAKCAQEA seen', object: { kind: 'Secret', data: { k: b64('-----BEGIN-----\nMIIEowIBAAKCAQEA\n-----END-----') } }, want: 'line [redacted] seen' },
    { name: 'short Secret values are left (they would mangle words)', text: 'must set immutable: true', object: { kind: 'Secret', data: { flag: b64('true') } }, want: 'must set immutable: true' },
    { name: 'short ConfigMap values are left', text: 'environment=prod', object: { kind: 'ConfigMap', data: { env: 'prod' } }, want: 'environment=prod' },
    { name: 'long ConfigMap values are redacted', text: `value ${SECRET_VALUE}!`, object: { kind: 'ConfigMap', data: { DB_PASSWORD: SECRET_VALUE } }, want: 'value [redacted]!' },
    { name: 'no values: unchanged', text: 'plain', object: { kind: 'Secret' }, want: 'plain' },
  ];
  for (const s of scrubs) it(`scrubValues: ${s.name}`, () => assert.equal(scrubValues(s.text, s.object), s.want));

  const base: DriftFinding = { kind: 'ConfigMap', namespace: 'team-a', name: 'app', uid: 'u1', policy: 'p', rule: 'immutability', mode: 'enforce', result: 'fail', message: 'must set immutable: true', path: '/immutable', tenant: 'shop' };

  it('fingerprints: equal for the same finding, different when object, policy, rule, uid or message change; no message text inside', () => {
    const fp = fingerprint(base);
    assert.equal(fingerprint({ ...base }), fp);
    for (const change of [{ name: 'other' }, { policy: 'q' }, { rule: 'schema' }, { uid: 'u2' }, { message: 'else' }, { path: '/data' }, { mode: 'audit' as const }]) {
      assert.notEqual(fingerprint({ ...base, ...change }), fp, JSON.stringify(change));
    }
    assert.ok(!fp.includes('immutable: true'));
  });

  it('counts distinct objects per policy, rule, namespace and tenant', () => {
    const rows = driftGaugeRows([base, { ...base, message: 'second finding, same object' }, { ...base, name: 'other' }, { ...base, rule: 'schema' }, { ...base, namespace: 'team-b', tenant: 'other' }]);
    assert.deepEqual(
      rows.map((r) => [r.labels.policy, r.labels.rule, r.labels.namespace, r.labels.tenant, r.objects]),
      [
        ['p', 'immutability', 'team-a', 'shop', 2],
        ['p', 'schema', 'team-a', 'shop', 1],
        ['p', 'immutability', 'team-b', 'other', 1],
      ],
    );
  });

  it('builds a Warning Event on the object naming policy, rule, the problem and the fix', () => {
    const e = buildDriftEvent(base, '2024-01-01T00:00:00.000Z', 'pod-a_1');
    assert.equal(e.type, 'Warning');
    assert.equal(e.reason, 'PolicyDrift');
    assert.deepEqual(e.involvedObject, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'app', uid: 'u1' });
    assert.equal(e.metadata.namespace, 'team-a');
    assert.equal(
      e.message,
      'ConfigMap team-a/app no longer passes policy p rule immutability (enforce; a change would be denied): must set immutable: true (at /immutable). It was admitted before the policy changed: fix the ConfigMap so it passes, or change the policy.',
    );
    assert.match(driftEventMessage({ ...base, mode: 'audit' }), /\(audit; a change would get an audit warning\)/);
    assert.match(driftEventMessage({ ...base, result: 'warn' }), /a change would get a warning/);
    assert.equal(driftEventMessage({ ...base, message: 'x'.repeat(5000) }).length, MAX_EVENT_MESSAGE);
  });
});
