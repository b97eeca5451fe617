/**
 * The controllers wired together (in-memory Lease, fake API): of two replicas exactly one leads,
 * exports bulwark_controller_leader 1 and runs the drift scan on its interval; when it stops, the other
 * takes over, and the stopped one's drift gauge is cleared. Interval 0 runs nothing.
 */
import assert from 'node:assert/strict';
import type { KubeConfig } from '@kubernetes/client-node';
import { startControllers, type RunningControllers } from '../../../webhook/controllers/controllers.js';
import { createMetrics, type WebhookMetrics } from '../../../webhook/metrics.js';
import { buildDocumentSet } from '../../../webhook/policy/loader.js';
import { policy, state } from '../policy/helpers.js';
import { FakeEvents, FakeReader, MemoryLease } from './fakes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const gaugeValue = async (m: WebhookMetrics, name: 'controllerLeader' | 'policyDriftObjects') => (await m[name].get()).values.reduce((a, v) => a + v.value, 0);

describe('controllers/startControllers', function () {
  this.timeout(10_000);
  const docs = buildDocumentSet([policy('must-be-immutable', { match: { kinds: ['ConfigMap'] }, rules: [{ rule: 'immutability', params: { requireImmutable: true, managed: 'matched' } }] })]);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'team-a', uid: 'u1' }, data: { a: 'b' } };

  it('runs the drift scan on exactly one of two replicas and hands over when the leader stops', async () => {
    const lease = new MemoryLease();
    const s = state();
    s.upsert(cm);
    const reader = new FakeReader();
    reader.add(cm);
    const events = new FakeEvents();
    const replicas: Array<{ metrics: WebhookMetrics; c: RunningControllers }> = [];
    for (const id of ['a', 'b']) {
      const metrics = createMetrics({ processMetrics: false });
      const c = await startControllers({
        kubeConfig: {} as KubeConfig,
        ownNamespace: 'bulwark-system',
        driftScanIntervalMs: 100,
        docs: () => docs,
        state: s,
        metrics,
        identity: id,
        election: { leaseDurationSeconds: 1, renewIntervalMs: 100, retryIntervalMs: 50 },
        leaseClient: lease.client(),
        reader,
        events,
      });
      replicas.push({ metrics, c });
    }
    await until(() => replicas.some((r) => r.c.isLeader()));
    await until(async () => (await gaugeValue(replicas.find((r) => r.c.isLeader())!.metrics, 'policyDriftObjects')) === 1);
    await sleep(300);
    const leader = replicas.find((r) => r.c.isLeader())!;
    const follower = replicas.find((r) => r !== leader)!;
    assert.equal(follower.c.isLeader(), false);
    assert.equal(await gaugeValue(leader.metrics, 'controllerLeader'), 1);
    assert.equal(await gaugeValue(follower.metrics, 'controllerLeader'), 0);
    assert.equal(await gaugeValue(follower.metrics, 'policyDriftObjects'), 0, 'only the leader reports drift');
    assert.ok((await leader.metrics.driftScans.get()).values[0]!.value >= 2, 'the scan repeats on its interval');
    assert.equal(events.created.length, 1, 'one Event for the unchanged finding, however many scans');
    assert.equal(await follower.c.scanNow(), undefined, 'a follower does not scan');

    await leader.c.stop();
    assert.equal(await gaugeValue(leader.metrics, 'controllerLeader'), 0);
    assert.equal(await gaugeValue(leader.metrics, 'policyDriftObjects'), 0, 'the stopped replica clears its drift gauge');
    await until(() => follower.c.isLeader(), 1_000);
    await until(async () => (await gaugeValue(follower.metrics, 'policyDriftObjects')) === 1);
    assert.equal(await gaugeValue(follower.metrics, 'controllerLeader'), 1);
    await follower.c.stop();
    assert.equal(lease.record!.state.holderIdentity, undefined);
  });

  it('runs nothing with --drift-scan-interval 0', async () => {
    const lease = new MemoryLease();
    const metrics = createMetrics({ processMetrics: false });
    const c = await startControllers({ kubeConfig: {} as KubeConfig, ownNamespace: 'bulwark-system', driftScanIntervalMs: 0, docs: () => docs, state: state(), metrics, leaseClient: lease.client(), reader: new FakeReader(), events: new FakeEvents() });
    await sleep(100);
    assert.equal(c.isLeader(), false);
    assert.equal(lease.record, undefined, 'no lease is taken');
    assert.equal(await gaugeValue(metrics, 'controllerLeader'), 0);
    await c.stop();
  });
});
