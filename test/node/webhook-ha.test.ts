/**
 * Node tier, the webhook as deploy/base runs it: two replicas on the node, a PodDisruptionBudget
 * that refuses a voluntary eviction that would leave none, and injection that keeps working while
 * one replica is replaced.
 */
import { strict as assert } from 'node:assert';
import { nodeCluster } from './harness/env.js';
import { BULWARK_NAMESPACE } from './harness/install.js';
import { listPods, sampleDeployment, userNamespace, waitReadyPods } from './harness/workloads.js';

const SELECTOR = 'app.kubernetes.io/name=bulwark-webhook';

function evict(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: BULWARK_NAMESPACE } };
  return nodeCluster().kubectl.run(['create', '--raw', `/api/v1/namespaces/${BULWARK_NAMESPACE}/pods/${name}/eviction`, '-f', '-'], { input: JSON.stringify(body) });
}

describe('node: webhook availability', function () {
  it('runs two ready replicas; the PDB lets one be evicted, refuses the second, and injection goes on meanwhile', async function () {
    const { kubectl } = nodeCluster();
    const pods = await waitReadyPods(kubectl, BULWARK_NAMESPACE, SELECTOR, { count: 2 });
    const first = await evict(pods[0]!.name);
    assert.equal(first.code, 0, `the first eviction is allowed: ${first.stderr}`);
    const second = await evict(pods[1]!.name);
    assert.notEqual(second.code, 0, 'the second eviction is refused while only one replica is ready');
    assert.match(second.stderr, /disruption budget|TooManyRequests|429/i);
    // admission still works with the one replica left
    await userNamespace(kubectl, 'shop-ha', { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': 'shop' });
    await kubectl.ok(['-n', 'shop-ha', 'create', 'configmap', 'app-config', '--from-literal=app.json={"ok":true}']);
    await kubectl.ok(['apply', '-f', '-'], {
      input: JSON.stringify(sampleDeployment('shop-ha', 'web', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config#app.json', 'bulwark.dev/mode.app.json': '0444' })),
    });
    const [app] = await waitReadyPods(kubectl, 'shop-ha', 'app=web');
    assert.match(app!.raw.metadata.annotations['bulwark.dev/status'] ?? '', /^injected/, 'the pod was injected during the disruption');
    const back = await waitReadyPods(kubectl, BULWARK_NAMESPACE, SELECTOR, { count: 2 });
    assert.ok(!back.some((p) => p.uid === pods[0]!.uid), 'the evicted replica was replaced');
    assert.equal((await listPods(kubectl, BULWARK_NAMESPACE, SELECTOR)).length, 2);
  });
});
