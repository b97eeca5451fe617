import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { Reflector, type ListPage } from '../../../webhook/cluster/reflector.js';
import { silentLogger } from '../../../webhook/log.js';

const cm = (ns: string, name: string, data: Record<string, string> = { a: '1' }) => ({ metadata: { namespace: ns, name, resourceVersion: '5' }, data });

describe('cluster/reflector: list', () => {
  it('lists page by page, and a re-list removes what is gone and keeps what is not', async () => {
    const state = new MemoryClusterState({ authoritative: true });
    let pages: Record<string, ListPage> = {
      '': { items: [cm('a', 'one'), cm('a', 'two')], metadata: { _continue: 'p2', resourceVersion: '10' } },
      p2: { items: [cm('b', 'three', { x: 'secret-value', y: '2' })], metadata: { resourceVersion: '10' } },
    };
    const seenContinue: Array<string | undefined> = [];
    const r = new Reflector(new k8s.KubeConfig(), '/api/v1/configmaps', 'ConfigMap', async (c) => (seenContinue.push(c), pages[c ?? '']!), { upsert: (o) => state.upsert(o), remove: (o) => state.remove(o) }, silentLogger);
    const list = () => (r as unknown as { list(): Promise<void> }).list();
    await list();
    assert.deepEqual(seenContinue, [undefined, 'p2']);
    assert.deepEqual(state.objects('ConfigMap').map((o) => `${o.namespace}/${o.name}`).sort(), ['a/one', 'a/two', 'b/three']);
    assert.deepEqual(state.object('ConfigMap', 'b', 'three')!.keys, ['x', 'y']);
    assert.ok(!JSON.stringify(state.objects('ConfigMap')).includes('secret-value'), 'values are never kept');
    pages = { '': { items: [cm('a', 'two'), cm('c', 'four')], metadata: { resourceVersion: '20' } } };
    await list();
    assert.deepEqual(state.objects('ConfigMap').map((o) => `${o.namespace}/${o.name}`).sort(), ['a/two', 'c/four']);
    assert.equal(r.lists, 2);
    assert.equal((r as unknown as { lastRv: string }).lastRv, '20', 'the next watch resumes from the list version');
  });
});
