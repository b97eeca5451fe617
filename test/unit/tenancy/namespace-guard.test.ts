/**
 * The unknown-namespace guard: with a live, synced cache, a request in a namespace the cache does not
 * know yet waits a moment and is then denied (503, "retry in a moment") instead of being judged as
 * a namespace without labels; standalone and CLI state keep judging it as unlabelled.
 */
import assert from 'node:assert/strict';
import type { AdmissionRequest, Decision, KubeObject } from '../../../webhook/admission/types.js';
import { stateFromObjects } from '../../../webhook/cluster/file-state.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { resolveOptions } from '../../../webhook/config/options.js';
import { createInjectionHandler } from '../../../webhook/inject/handler.js';
import { buildDocumentSet } from '../../../webhook/policy/document-set.js';
import { createValidationHandler } from '../../../webhook/policy/handler.js';
import { createTenancyHandler } from '../../../webhook/tenancy/handler.js';
import { namespacesComplete, namespaceToRequire } from '../../../webhook/tenancy/namespace-guard.js';
import { policy } from '../policy/helpers.js';

/** A state fed by live caches, as the informer-backed one is (it can be started). */
class LiveState extends MemoryClusterState {
  constructor() {
    super({ authoritative: true });
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
}

const PROD_IMMUTABLE = policy('prod', { match: { environments: ['prod'], kinds: ['ConfigMap'] }, rules: [{ rule: 'immutability', params: { requireImmutable: true } }] });

function req(object: KubeObject, operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest {
  return { uid: 'u', kind: { group: '', version: 'v1', kind: String(object.kind) }, operation, namespace: object.metadata?.namespace, name: object.metadata?.name, userInfo: { username: 'alice' }, object };
}
const cm = (ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: ns }, data: { a: 'b' } });
const podIn = (ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns, annotations: { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'kubernetes:secret/db' } }, spec: { containers: [{ name: 'app', image: 'a' }] } });
const prodNs = (name: string) => ({ kind: 'Namespace', metadata: { name, labels: { 'bulwark.dev/environment': 'prod' } } });

function handlers(state: MemoryClusterState, opts: { requireKnownNamespaces?: boolean; namespaceWaitMs?: number } = { namespaceWaitMs: 100 }) {
  const docs = buildDocumentSet([PROD_IMMUTABLE]);
  const common = { docs: () => docs, state, ownNamespace: 'bulwark-system', ...opts };
  return {
    policy: createValidationHandler(common),
    tenancy: createTenancyHandler(common),
    inject: createInjectionHandler({ ...common, options: resolveOptions({}, {}) }),
  };
}

const DENIAL = /^namespace fresh is not in Bulwark's cache yet, so its environment and tenant rules cannot be applied; retry in a moment$/;

function assertUnknown(d: Decision): void {
  assert.equal(d.allowed, false);
  if (d.allowed) return;
  assert.equal(d.code, 503);
  assert.equal(d.reason, 'ServiceUnavailable');
  assert.match(d.message ?? '', DENIAL);
}

describe('tenancy: unknown-namespace guard', () => {
  it('trusts only a live, synced, authoritative cache to list every namespace', () => {
    const live = new LiveState();
    assert.equal(namespacesComplete(live), true);
    live.setSynced(false);
    assert.equal(namespacesComplete(live), false, 'not synced yet');
    assert.equal(namespacesComplete(new MemoryClusterState({ authoritative: true })), false, 'plain memory state');
    assert.equal(namespacesComplete(stateFromObjects([prodNs('a'), cm('a')])), false, 'file state, even when authoritative');
  });

  const scope: Array<[string, AdmissionRequest, string | undefined]> = [
    ['a ConfigMap CREATE', req(cm('fresh')), 'fresh'],
    ['a ConfigMap UPDATE', req(cm('fresh'), 'UPDATE'), 'fresh'],
    ['a DELETE', req(cm('fresh'), 'DELETE'), undefined],
    ['a Namespace CREATE', { ...req({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } }), namespace: 'fresh' }, undefined],
    ['kube-system', req(cm('kube-system')), undefined],
    ["Bulwark's own namespace", req(cm('bulwark-system')), undefined],
    ['a Bulwark document', { ...req(cm('fresh')), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: 'ConfigPolicy' } }, undefined],
  ];
  for (const [name, r, want] of scope) it(`requires a known namespace for ${name}: ${want ?? 'no'}`, () => assert.equal(namespaceToRequire(r, 'bulwark-system'), want));

  it('with a live cache, each handler denies a request in a namespace that never arrives (policy, tenancy, injection)', async () => {
    const h = handlers(new LiveState());
    assertUnknown(await h.policy.handle(req(cm('fresh'))));
    assertUnknown(await h.tenancy.handle(req(cm('fresh'))));
    assertUnknown(await h.inject.handle(req(podIn('fresh'))));
  });

  it('with a live cache, a namespace that arrives during the wait is judged by its labels (prod immutability applies)', async () => {
    const state = new LiveState();
    const h = handlers(state, { namespaceWaitMs: 1000 });
    setTimeout(() => state.upsert(prodNs('fresh')), 60);
    const d = await h.policy.handle(req(cm('fresh')));
    assert.equal(d.allowed, false);
    if (!d.allowed) assert.match(d.message ?? '', /policy prod rule immutability: ConfigMap fresh\/app must set immutable: true/);
  });

  it('with a known namespace nothing waits: the decision is synchronous', () => {
    const state = new LiveState();
    state.upsert(prodNs('fresh'));
    const d = handlers(state).policy.handle(req(cm('fresh')));
    assert.ok(!(d instanceof Promise));
    assert.equal((d as Decision).allowed, false);
  });

  it('standalone / CLI state keeps judging an unknown namespace as unlabelled (allowed, no wait)', () => {
    const h = handlers(stateFromObjects([prodNs('other'), cm('other')]));
    for (const d of [h.policy.handle(req(cm('fresh'))), h.tenancy.handle(req(cm('fresh'))), h.inject.handle(req(podIn('fresh')))]) {
      assert.ok(!(d instanceof Promise));
      assert.equal((d as Decision).allowed, true);
    }
  });

  it('requireKnownNamespaces forces the guard on any state (and off on a live one)', async () => {
    assertUnknown(await handlers(new MemoryClusterState(), { requireKnownNamespaces: true, namespaceWaitMs: 50 }).policy.handle(req(cm('fresh'))));
    const off = handlers(new LiveState(), { requireKnownNamespaces: false }).policy.handle(req(cm('fresh')));
    assert.equal((off as Decision).allowed, true);
  });
});
