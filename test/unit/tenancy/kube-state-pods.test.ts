/**
 * The Pods cache behind the injectedPods quota: the reflector sink counts pods carrying the
 * bulwark.dev/status annotation per namespace through list, watch events and re-list, and keeps
 * nothing of a pod but its identity and that annotation.
 */
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { KubeClusterState, slimPod } from '../../../webhook/cluster/kube-state.js';
import { Reflector, type ListPage, type ReflectorSink } from '../../../webhook/cluster/reflector.js';
import { silentLogger } from '../../../webhook/log.js';

const STATUS = { 'bulwark.dev/status': 'injected; spec-sha256=abc' };

function p(ns: string, name: string, injected: boolean): Record<string, any> {
  return {
    kind: 'Pod',
    metadata: { namespace: ns, name, uid: `uid-${name}`, annotations: injected ? { ...STATUS, other: 'x' } : { other: 'x' } },
    spec: { containers: [{ name: 'app', env: [{ name: 'BULWARK_SPEC', value: '{"secret":"never kept"}' }] }] },
  };
}

describe('cluster/kube-state: pods for the injectedPods quota', () => {
  const sink = (s: KubeClusterState): ReflectorSink => (s as unknown as { sinkFor(kind: string): ReflectorSink }).sinkFor('Pod');

  it('counts injected pods through list, events and re-list', async () => {
    const s = new KubeClusterState(new k8s.KubeConfig(), silentLogger);
    const k = sink(s);
    let page: ListPage = { items: [p('a', 'one', true), p('a', 'two', false), p('b', 'three', true)], metadata: { resourceVersion: '1' } };
    const reflector = new Reflector(new k8s.KubeConfig(), '/api/v1/pods', 'Pod', async () => page, k, silentLogger);
    const list = () => (reflector as unknown as { list(): Promise<void> }).list();
    await list();
    assert.deepEqual([s.injectedPods('a'), s.injectedPods('b')], [1, 1]);
    k.upsert(p('a', 'two', true));
    assert.equal(s.injectedPods('a'), 2);
    k.upsert(p('a', 'one', false)); // annotation removed
    assert.equal(s.injectedPods('a'), 1);
    k.remove(p('b', 'three', true));
    assert.equal(s.injectedPods('b'), 0);
    page = { items: [p('b', 'four', true)], metadata: { resourceVersion: '9' } };
    await list(); // a re-list drops pods that are gone
    assert.deepEqual([s.injectedPods('a'), s.injectedPods('b')], [0, 1]);
  });

  it('keeps only identity and the status annotation of a pod', () => {
    assert.deepEqual(slimPod(p('a', 'one', true)), { kind: 'Pod', metadata: { namespace: 'a', name: 'one', uid: 'uid-one', annotations: STATUS } });
    assert.ok(!JSON.stringify(slimPod(p('a', 'one', true))).includes('never kept'));
  });
});
