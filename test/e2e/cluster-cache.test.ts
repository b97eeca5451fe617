/**
 * The webhook's cluster cache against the real apiserver: after the first list it follows changes
 * through watches, resumes each ended watch from the last resourceVersion it saw instead of listing
 * the whole cluster again, and keeps only key names of Secrets.
 */
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { MemoryClusterState } from '../../webhook/cluster/memory-state.js';
import { Reflector } from '../../webhook/cluster/reflector.js';
import { silentLogger } from '../../webhook/log.js';
import { eventually } from './harness/fixtures.js';
import { testCluster } from './harness/env.js';

describe('cluster cache: list once, then watch and resume', function () {
  this.timeout(60_000);

  it('follows creates, updates and deletes across several ended watches with a single list', async () => {
    const c = testCluster();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await c.kubectl.ok(['create', 'namespace', 'e2e-cache']);
    const state = new MemoryClusterState({ authoritative: true });
    const query = { fieldSelector: 'type!=helm.sh/release.v1' };
    const r = new Reflector(kc, '/api/v1/secrets', 'Secret', (cont) => core.listSecretForAllNamespaces({ limit: 2, _continue: cont, ...query }) as never,
      { upsert: (o) => state.upsert(o), remove: (o) => state.remove(o) }, silentLogger, query, 1);
    try {
      await c.kubectl.ok(['-n', 'e2e-cache', 'create', 'secret', 'generic', 'before', '--from-literal=token=cache-secret-value']);
      await r.start();
      assert.deepEqual(state.object('Secret', 'e2e-cache', 'before')?.keys, ['token']);
      // Each watch lasts 1 s: changes made across several of them must all arrive without a re-list.
      await new Promise((res) => setTimeout(res, 2500));
      await c.kubectl.ok(['-n', 'e2e-cache', 'create', 'secret', 'generic', 'after', '--from-literal=a=1', '--from-literal=b=2']);
      await eventually(async () => assert.deepEqual(state.object('Secret', 'e2e-cache', 'after')?.keys, ['a', 'b']));
      await new Promise((res) => setTimeout(res, 1500));
      await c.kubectl.ok(['-n', 'e2e-cache', 'delete', 'secret', 'before']);
      await eventually(async () => assert.equal(state.object('Secret', 'e2e-cache', 'before'), undefined));
      await c.kubectl.ok(['-n', 'e2e-cache', 'create', 'secret', 'generic', 'helm-like', '--type=helm.sh/release.v1', '--from-literal=release=x']);
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(state.object('Secret', 'e2e-cache', 'helm-like'), undefined, 'Helm release Secrets are never cached');
      assert.equal(r.lists, 1, 'ended watches resume from the last resourceVersion; no re-list');
      assert.ok(!JSON.stringify(state.objects('Secret')).includes('cache-secret-value'), 'values are never kept');
    } finally {
      r.stop();
      await c.kubectl.run(['delete', 'namespace', 'e2e-cache', '--wait=false']);
    }
  });
});
