/**
 * Spec carriers at admission: a literal BULWARK_SPEC is checked against what injection builds;
 * every carrier Bulwark cannot check (valueFrom, envFrom that can define BULWARK_SPEC, --spec-file,
 * containers named like Bulwark's without the recorded spec, ephemeral containers included) is
 * refused with TENANT_SPEC_TAMPERED, while the pod the webhook injected stays allowed.
 */
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import type { AdmissionRequest, KubeObject } from '../../../webhook/admission/types.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { tenancyViolations } from '../../../webhook/tenancy/handler.js';
import { DEFAULT_CLUSTER_LABEL_ADMINS } from '../../../webhook/tenancy/tenants.js';
import { configMap, injectCtx, pod, request, tenancyDocs, tenancyState } from './fixtures.js';

function violations(req: AdmissionRequest): Array<{ code: string; message: string }> {
  const state = tenancyState();
  state.upsert({ kind: 'Secret', metadata: { namespace: 'shop-dev', name: 'spec-holder' }, data: { BULWARK_SPEC: 'e30=' } });
  return tenancyViolations(req, tenancyDocs(), state, 'bulwark-system', DEFAULT_CLUSTER_LABEL_ADMINS);
}

function plainPod(spec: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop-dev', annotations }, spec };
}

const app = (extra: Record<string, unknown>) => ({ name: 'app', image: 'registry.example/app:1', ...extra });

/** The pod the webhook injects for shop-dev, as the validating webhook sees it. */
function injected(): KubeObject {
  const raw = pod({ 'bulwark.dev/secret.db': 'vault:secret/data/shop/db' });
  const r = injectPod(raw, injectCtx('shop-dev'));
  assert.equal(r.result, 'injected');
  if (r.result !== 'injected') throw new Error('not injected');
  const mutated = jsonpatch.applyPatch(structuredClone(raw), r.patch as never, true, false).newDocument as KubeObject;
  mutated.metadata!.namespace = 'shop-dev';
  return mutated;
}

function ephemeral(p: KubeObject, container: Record<string, unknown>): AdmissionRequest {
  const withDebug = structuredClone(p);
  (withDebug.spec as Record<string, unknown>).ephemeralContainers = [container];
  return { ...request('Pod', 'UPDATE', withDebug, { oldObject: p }), subResource: 'ephemeralcontainers' };
}

describe('tenancy: sidecar spec carriers', () => {
  const refused: Array<{ name: string; req: () => AdmissionRequest; want: RegExp }> = [
    { name: 'BULWARK_SPEC from a ConfigMap key', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ env: [{ name: 'BULWARK_SPEC', valueFrom: { configMapKeyRef: { name: 'x', key: 'spec' } } }] })] })), want: /containers\[0\] "app" sets BULWARK_SPEC from valueFrom, which Bulwark cannot check/ },
    { name: 'BULWARK_SPEC from a Secret key, in an init container', req: () => request('Pod', 'CREATE', plainPod({ initContainers: [app({ name: 'prep', env: [{ name: 'BULWARK_SPEC', valueFrom: { secretKeyRef: { name: 'x', key: 'spec' } } }] })], containers: [app({})] })), want: /initContainers\[0\] "prep" sets BULWARK_SPEC from valueFrom/ },
    { name: 'envFrom with a prefix that can spell BULWARK_SPEC', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ envFrom: [{ prefix: 'BULWARK_', configMapRef: { name: 'anything' } }] })] })), want: /takes envFrom ConfigMap anything with prefix "BULWARK_", which can define BULWARK_SPEC/ },
    { name: 'envFrom from a cached Secret with a BULWARK_SPEC key', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ envFrom: [{ secretRef: { name: 'spec-holder' } }] })] })), want: /takes envFrom Secret spec-holder, which has a key BULWARK_SPEC/ },
    { name: '--spec-file in args', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ args: ['run', '--spec-file', '/tmp/spec.json'] })] })), want: /containers\[0\] "app" passes --spec-file/ },
    { name: '--spec-file= inside a shell command', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ command: ['sh', '-c', 'exec bulwark-sidecar run --spec-file=/x'] })] })), want: /passes --spec-file/ },
    { name: 'a container named bulwark-sidecar without a status annotation', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({}), app({ name: 'bulwark-sidecar' })] })), want: /containers\[1\] "bulwark-sidecar" is named like Bulwark's containers, but its BULWARK_SPEC is not the spec the pod's bulwark\.dev\/status annotation records/ },
    {
      name: 'an injected pod whose bulwark-init spec was edited (hash no longer matches)',
      req: () => {
        const p = injected();
        const env = (p.spec as any).initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC');
        env.value = env.value.replace('"refreshSeconds":', '"refreshSeconds": ');
        return request('Pod', 'CREATE', p);
      },
      want: /initContainers\[0\] "bulwark-init" is named like Bulwark's containers, but its BULWARK_SPEC is not the spec/,
    },
    { name: 'an ephemeral container on CREATE with valueFrom', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({})], ephemeralContainers: [app({ name: 'dbg', env: [{ name: 'BULWARK_SPEC', valueFrom: { fieldRef: { fieldPath: 'metadata.annotations[\'x\']' } } }] })] })), want: /ephemeralContainers\[0\] "dbg" sets BULWARK_SPEC from valueFrom/ },
    { name: 'a debug container added through pods/ephemeralcontainers with --spec-file', req: () => ephemeral(injected(), { name: 'dbg', image: 'busybox', args: ['run', '--spec-file', '/bulwark/x'] }), want: /ephemeralContainers\[0\] "dbg" passes --spec-file/ },
    { name: 'a debug container named bulwark-sidecar', req: () => ephemeral(injected(), { name: 'bulwark-sidecar', image: 'busybox' }), want: /ephemeralContainers\[0\] "bulwark-sidecar" is named like Bulwark's containers/ },
    { name: 'a ConfigMap with a BULWARK_SPEC key', req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'envsrc', {}, { BULWARK_SPEC: '{}' })), want: /ConfigMap shop-dev\/envsrc has a key BULWARK_SPEC, which would hand a sidecar spec to a container through envFrom/ },
    { name: 'a Secret with a BULWARK_SPEC stringData key', req: () => request('Secret', 'CREATE', { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop-dev', name: 's' }, stringData: { BULWARK_SPEC: '{}' } }), want: /Secret shop-dev\/s has a key BULWARK_SPEC/ },
  ];
  for (const row of refused) {
    it(`refuses: ${row.name}`, () => {
      const vs = violations(row.req());
      assert.ok(vs.length > 0, 'expected a violation');
      assert.ok(vs.every((v) => v.code === 'TENANT_SPEC_TAMPERED'), JSON.stringify(vs));
      assert.ok(vs.some((v) => row.want.test(v.message)), vs.map((v) => v.message).join('\n'));
    });
  }

  const allowedRows: Array<{ name: string; req: () => AdmissionRequest }> = [
    { name: 'the pod the webhook injected', req: () => request('Pod', 'CREATE', injected()) },
    { name: 'a debug container added to the injected pod', req: () => ephemeral(injected(), { name: 'dbg', image: 'busybox', command: ['sh'] }) },
    { name: 'envFrom of an ordinary ConfigMap, and an unrelated prefix', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ envFrom: [{ configMapRef: { name: 'app-config' } }, { prefix: 'APP_', secretRef: { name: 'x' } }] })] })) },
    { name: 'an app with other flags and env from fieldRef', req: () => request('Pod', 'CREATE', plainPod({ containers: [app({ args: ['--spec', 'x', '--file=y'], env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] })) },
    { name: 'a ConfigMap with ordinary keys', req: () => request('ConfigMap', 'CREATE', configMap('shop-dev', 'c', {}, { SPEC: 'x', BULWARK_SPEC_VERSION: '1' })) },
  ];
  for (const row of allowedRows) {
    it(`allows: ${row.name}`, () => assert.deepEqual(violations(row.req()), []));
  }
});
