/**
 * Workload pod templates go through injection at validation time (the path `bulwark review` and
 * /validate share), and annotation values that are not strings are denied naming the annotation
 * instead of crashing the parser.
 */
import assert from 'node:assert/strict';
import type { AdmissionRequest, Decision, KubeObject } from '../../../webhook/admission/types.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { createValidationHandler } from '../../../webhook/policy/handler.js';
import { ctx, docs, options, state } from './fixtures.js';

const GOOD = { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:kv/app#password' };

function workload(kind: string, annotations: Record<string, unknown>, namespace = 'team-b'): KubeObject {
  const template = { metadata: { labels: { app: 'web' }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
  const spec = kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: 'web' } }, template };
  return { apiVersion: kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name: 'web', namespace }, spec } as KubeObject;
}

function validate(object: KubeObject, operation: AdmissionRequest['operation'] = 'CREATE'): Decision {
  const h = createValidationHandler({ docs: () => docs(), state: state(), ownNamespace: 'bulwark-system', options: options() });
  const group = object.apiVersion === 'v1' ? '' : String(object.apiVersion).split('/')[0]!;
  const d = h.handle({ uid: 'u', kind: { group, version: 'v1', kind: String(object.kind) }, operation, namespace: object.metadata?.namespace, name: object.metadata?.name, userInfo: { username: 'ci' }, object });
  assert.ok(!(d instanceof Promise));
  return d as Decision;
}

describe('inject/template-check: workload templates are checked as injection will check their pods', () => {
  const denied: Array<{ name: string; object: KubeObject; want: RegExp }> = [
    { name: 'Deployment with a bad refresh', object: workload('Deployment', { ...GOOD, 'bulwark.dev/refresh': 'often' }), want: /^pod template of Deployment team-b\/web: sidecar injection denied: bulwark\.dev\/refresh: "often" is not a duration/ },
    { name: 'StatefulSet with an unknown store', object: workload('StatefulSet', { ...GOOD, 'bulwark.dev/secret.db': 'ghost:kv/app' }), want: /^pod template of StatefulSet team-b\/web: .*store "ghost" is not defined for namespace team-b/ },
    { name: 'DaemonSet with a health URL carrying credentials', object: workload('DaemonSet', { ...GOOD, 'bulwark.dev/health': 'http://admin:pw@127.0.0.1/h' }), want: /bulwark\.dev\/health: the URL contains credentials/ },
    { name: 'Job with an invalid inject value', object: workload('Job', { ...GOOD, 'bulwark.dev/inject': 'yes' }), want: /^pod template of Job team-b\/web: .*bulwark\.dev\/inject: "yes" is not a boolean/ },
    { name: 'CronJob with a bad reload step', object: workload('CronJob', { ...GOOD, 'bulwark.dev/reload': 'kill -HUP 1' }), want: /^pod template of CronJob team-b\/web: .*bulwark\.dev\/reload: "kill -HUP 1" is not a reload step/ },
    { name: 'Deployment with an unquoted number', object: workload('Deployment', { ...GOOD, 'bulwark.dev/refresh': 60 }), want: /bulwark\.dev\/refresh: must be a string, not number; quote the value \(e\.g\. "60"\)/ },
    { name: 'Deployment with an unquoted boolean opt-in', object: workload('Deployment', { ...GOOD, 'bulwark.dev/inject': true }), want: /bulwark\.dev\/inject: must be a string, not boolean; quote the value \(e\.g\. "true"\)/ },
  ];
  for (const row of denied) {
    it(`denies: ${row.name}`, () => {
      const d = validate(row.object);
      assert.equal(d.allowed, false);
      if (d.allowed) return;
      assert.equal(d.code, 400);
      assert.match(d.message ?? '', row.want);
      assert.ok(!(d.message ?? '').includes('admin:pw'));
    });
  }

  const allowedRows: Array<{ name: string; object: KubeObject; op?: AdmissionRequest['operation'] }> = [
    { name: 'Deployment with good annotations', object: workload('Deployment', GOOD) },
    { name: 'Deployment that does not opt in', object: workload('Deployment', { 'bulwark.dev/refresh': 'often' }) },
    { name: 'Deployment that opts out', object: workload('Deployment', { ...GOOD, 'bulwark.dev/inject': 'false' }) },
    { name: 'Deployment in kube-system', object: workload('Deployment', { ...GOOD, 'bulwark.dev/refresh': 'often' }, 'kube-system') },
    { name: 'DELETE of a bad Deployment', object: workload('Deployment', { ...GOOD, 'bulwark.dev/refresh': 'often' }), op: 'DELETE' },
  ];
  for (const row of allowedRows) it(`allows: ${row.name}`, () => assert.equal(validate(row.object, row.op).allowed, true));

  it('a Deployment in an opted-in namespace is checked without a pod annotation', () => {
    const d = validate(workload('Deployment', { 'bulwark.dev/secret.db': 'vault:kv/app', 'bulwark.dev/mode.db': '0999' }, 'team-a'));
    assert.equal(d.allowed, false);
  });
});

describe('inject/injectPod: annotation values that are not strings', () => {
  const rows: Array<{ name: string; annotations: Record<string, unknown>; want: RegExp[] }> = [
    { name: 'unquoted true and 60', annotations: { 'bulwark.dev/inject': true, 'bulwark.dev/refresh': 60, 'bulwark.dev/secret.db': 'vault:kv/a' }, want: [/^sidecar injection denied \(2 problems\): /, /bulwark\.dev\/inject: must be a string, not boolean/, /bulwark\.dev\/refresh: must be a string, not number/] },
    { name: 'a list and null', annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.a': ['x'], 'bulwark.dev/secret.b': null }, want: [/bulwark\.dev\/config\.a: must be a string, not a list/, /bulwark\.dev\/secret\.b: must be a string, not null/] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: row.annotations }, spec: { containers: [{ name: 'app', image: 'a' }] } } as unknown as KubeObject;
      const r = injectPod(pod, ctx());
      assert.equal(r.result, 'denied', JSON.stringify(r));
      if (r.result === 'denied') for (const re of row.want) assert.match(r.message, re);
    });
  }

  it('ignores non-string values of other annotations', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { ...GOOD, 'example.com/replicas': 3 } }, spec: { containers: [{ name: 'app', image: 'a' }] } } as unknown as KubeObject;
    assert.equal(injectPod(pod, ctx()).result, 'injected');
  });
});
