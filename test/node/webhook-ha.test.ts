/**
 * Node tier, the webhook as deploy/base runs it: two replicas on the node, the controllers' lease
 * moving when its holder is evicted, a PodDisruptionBudget that refuses a voluntary eviction that
 * would leave none, and injection that keeps working while one replica is replaced.
 */
import { strict as assert } from 'node:assert';
import { waitFor } from '../e2e/harness/net.js';
import { nodeCluster } from './harness/env.js';
import { BULWARK_NAMESPACE } from './harness/install.js';
import { applyWhenAdmitted, listPods, sampleDeployment, userNamespace, waitReadyPods } from './harness/workloads.js';

const SELECTOR = 'app.kubernetes.io/name=bulwark-webhook';

function evict(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: BULWARK_NAMESPACE } };
  return nodeCluster().kubectl.run(['create', '--raw', `/api/v1/namespaces/${BULWARK_NAMESPACE}/pods/${name}/eviction`, '-f', '-'], { input: JSON.stringify(body) });
}

describe('node: webhook availability', function () {
  it('runs two ready replicas; evicting the leader moves the lease, the PDB refuses the second eviction, injection goes on', async function () {
    const { kubectl } = nodeCluster();
    const ready = await waitReadyPods(kubectl, BULWARK_NAMESPACE, SELECTOR, { count: 2 });
    // the controllers' leader first: its lease must move to the other replica
    const holder = await waitFor('a leader of the controllers', async () => (await kubectl.getJson('lease', 'bulwark-controllers', BULWARK_NAMESPACE))?.spec?.holderIdentity as string | undefined, { timeoutMs: 60_000, intervalMs: 500 });
    const leader = ready.find((p) => holder.startsWith(`${p.name}_`));
    assert.ok(leader, `the lease holder ${holder} is one of the replicas`);
    const pods = [leader!, ready.find((p) => p !== leader)!];
    const first = await evict(pods[0]!.name);
    assert.equal(first.code, 0, `the first eviction is allowed: ${first.stderr}`);
    const moved = await waitFor(
      'the lease to move to the other replica',
      async () => {
        const h = (await kubectl.getJson('lease', 'bulwark-controllers', BULWARK_NAMESPACE))?.spec?.holderIdentity as string | undefined;
        if (h?.startsWith(`${pods[1]!.name}_`)) return h;
        throw new Error(`holder: ${h}`);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.ok(moved);
    const second = await evict(pods[1]!.name);
    assert.notEqual(second.code, 0, 'the second eviction is refused while only one replica is ready');
    assert.match(second.stderr, /disruption budget|TooManyRequests|429/i);
    // admission still works with the one replica left
    await userNamespace(kubectl, 'shop-ha', { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': 'shop' });
    await kubectl.ok(['-n', 'shop-ha', 'create', 'configmap', 'app-config', '--from-literal=app.json={"ok":true}']);
    await applyWhenAdmitted(kubectl, sampleDeployment('shop-ha', 'web', { 'bulwark.dev/inject': 'true', 'bulwark.dev/config.app.json': 'app-config#app.json', 'bulwark.dev/mode.app.json': '0440' }));
    const [app] = await waitReadyPods(kubectl, 'shop-ha', 'app=web');
    assert.match(app!.raw.metadata.annotations['bulwark.dev/status'] ?? '', /^injected/, 'the pod was injected during the disruption');
    const back = await waitReadyPods(kubectl, BULWARK_NAMESPACE, SELECTOR, { count: 2 });
    assert.ok(!back.some((p) => p.uid === pods[0]!.uid), 'the evicted replica was replaced');
    assert.equal((await listPods(kubectl, BULWARK_NAMESPACE, SELECTOR)).length, 2);
  });
});
