/**
 * The controllers against the real kube-apiserver: Lease-based leader election (two electors in
 * process, production timing and a short lease for the crash case, 409 on a stale write), and the
 * policy drift scan in a real webhook process (`bulwark serve --drift-scan-interval 2s`): a ConfigMap
 * admitted before a ConfigPolicy it violates gets a PolicyDrift Warning Event once, the drift gauge
 * counts it, and no Secret value reaches an Event or the log.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeLeaseClient, LeaseConflictError, type LeaseClient } from '../../webhook/controllers/lease-client.js';
import { LeaderElector } from '../../webhook/controllers/leader-election.js';
import { request } from '../helpers/https.js';
import { testCluster } from './harness/env.js';
import { eventually } from './harness/fixtures.js';
import { e2ePolicies, WebhookProcess } from './harness/webhook.js';

const LEASE_NS = 'bulwark-system';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kubeConfig(): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(testCluster().kubeconfig);
  return kc;
}

/** Waits until cond() holds, polling every 50 ms; returns the milliseconds it took. */
async function timeUntil(cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - t0;
}

/** A lease client whose calls fail once kill() is called: a replica that crashed without releasing. */
function killable(client: LeaseClient): { client: LeaseClient; kill(): void } {
  let dead = false;
  const guard = <T>(fn: () => Promise<T>) => (dead ? Promise.reject(new Error('replica is gone')) : fn());
  return {
    kill: () => (dead = true),
    client: { get: () => guard(() => client.get()), create: (s) => guard(() => client.create(s)), update: (p, s) => guard(() => client.update(p, s)) },
  };
}

describe('e2e: controllers leader election (Lease, two electors against the real apiserver)', function () {
  this.timeout(60_000);
  const leases: string[] = [];
  const electors: LeaderElector[] = [];
  after(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    for (const name of leases) await testCluster().kubectl.run(['-n', LEASE_NS, 'delete', 'lease', name, '--ignore-not-found']);
  });

  it('with production timing (15 s lease, renew 5 s, retry 2 s): exactly one leads; stopping it releases the lease and the other leads within a retry interval', async () => {
    const kc = await kubeConfig();
    const name = `e2e-election-${Date.now()}`;
    leases.push(name);
    const [a, b] = await Promise.all(['e2e-a', 'e2e-b'].map(async (identity) => new LeaderElector({ client: await kubeLeaseClient(kc, LEASE_NS, name), identity })));
    electors.push(a!, b!);
    a!.start();
    b!.start();
    const elected = await timeUntil(() => a!.isLeader() || b!.isLeader(), 10_000);
    await sleep(2_500); // past a retry interval: the follower has looked and stayed a follower
    assert.equal(Number(a!.isLeader()) + Number(b!.isLeader()), 1, 'exactly one leader');
    const [leader, follower] = a!.isLeader() ? [a!, b!] : [b!, a!];
    const lease = await testCluster().kubectl.getJson('lease', name, LEASE_NS);
    assert.equal(lease.spec.holderIdentity, leader === a ? 'e2e-a' : 'e2e-b');
    assert.equal(lease.spec.leaseDurationSeconds, 15);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
    await leader.stop();
    const released = await testCluster().kubectl.getJson('lease', name, LEASE_NS);
    assert.equal(released.spec.holderIdentity, undefined, 'the stopped leader cleared holderIdentity');
    const handover = await timeUntil(() => follower.isLeader(), 15_000);
    assert.ok(handover <= 3_000, `the follower took a released lease within ~one retry interval (took ${handover} ms)`);
    const after = await testCluster().kubectl.getJson('lease', name, LEASE_NS);
    assert.equal(after.spec.holderIdentity, follower === a ? 'e2e-a' : 'e2e-b');
    assert.equal(after.spec.leaseTransitions, 1);
    process.stderr.write(`  [e2e] election: first leader after ${elected} ms, handover after release ${handover} ms\n`);
  });

  it('a leader that crashes without releasing is replaced within about one lease duration (3 s lease)', async () => {
    const kc = await kubeConfig();
    const name = `e2e-crash-${Date.now()}`;
    leases.push(name);
    const timing = { leaseDurationSeconds: 3, renewIntervalMs: 1_000, retryIntervalMs: 500 };
    const crashing = killable(await kubeLeaseClient(kc, LEASE_NS, name));
    const a = new LeaderElector({ client: crashing.client, identity: 'e2e-crashing', ...timing });
    const b = new LeaderElector({ client: await kubeLeaseClient(kc, LEASE_NS, name), identity: 'e2e-survivor', ...timing });
    electors.push(a, b);
    a.start();
    await timeUntil(() => a.isLeader(), 10_000);
    b.start();
    await sleep(1_500);
    assert.equal(b.isLeader(), false, 'the survivor waits while the leader renews');
    crashing.kill();
    const took = await timeUntil(() => b.isLeader(), 10_000);
    assert.ok(took >= 1_500 && took <= 5_500, `takeover after about one lease duration of silence (took ${took} ms)`);
    assert.equal((await testCluster().kubectl.getJson('lease', name, LEASE_NS)).spec.holderIdentity, 'e2e-survivor');
    process.stderr.write(`  [e2e] election: takeover after a crash ${took} ms (lease 3 s)\n`);
  });

  it('the apiserver refuses a write based on a stale read (409), which the client reports as a conflict', async () => {
    const kc = await kubeConfig();
    const name = `e2e-conflict-${Date.now()}`;
    leases.push(name);
    const client = await kubeLeaseClient(kc, LEASE_NS, name);
    await client.create({ holderIdentity: 'x', leaseDurationSeconds: 15, renewTimeMs: Date.now() });
    await assert.rejects(client.create({ holderIdentity: 'y', leaseDurationSeconds: 15 }), LeaseConflictError);
    const stale = (await client.get())!;
    await client.update(stale, { ...stale.state, renewTimeMs: Date.now() });
    await assert.rejects(client.update(stale, { ...stale.state, holderIdentity: 'y' }), LeaseConflictError);
    assert.equal((await client.get())!.state.holderIdentity, 'x');
  });
});

describe('e2e: controllers RBAC of deploy/base (SubjectAccessReview for the webhook service account)', function () {
  this.timeout(30_000);
  const SA = 'system:serviceaccount:bulwark-system:bulwark-webhook';
  const rows: Array<{ verb: string; group: string; resource: string; namespace: string; want: boolean }> = [
    { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NS, want: true },
    { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NS, want: true },
    { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NS, want: true },
    { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'e2e-app', want: false },
    { verb: 'create', group: '', resource: 'events', namespace: 'e2e-app', want: true },
    { verb: 'list', group: '', resource: 'events', namespace: 'e2e-app', want: false },
    { verb: 'update', group: '', resource: 'events', namespace: 'e2e-app', want: false },
    { verb: 'delete', group: '', resource: 'events', namespace: 'e2e-app', want: false },
    { verb: 'get', group: '', resource: 'secrets', namespace: 'e2e-app', want: true },
    { verb: 'update', group: '', resource: 'configmaps', namespace: 'e2e-app', want: false },
  ];
  for (const r of rows) {
    it(`bulwark-webhook ${r.want ? 'may' : 'may not'} ${r.verb} ${r.group ? `${r.group}/` : ''}${r.resource} in ${r.namespace}`, async () => {
      const sar = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:bulwark-system', 'system:authenticated'], resourceAttributes: { verb: r.verb, group: r.group, resource: r.resource, namespace: r.namespace } },
      };
      const out = await testCluster().kubectl.ok(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(sar) });
      assert.equal(JSON.parse(out).status.allowed === true, r.want);
    });
  }
});

describe('e2e: policy drift scan (webhook process, --drift-scan-interval 2s)', function () {
  this.timeout(120_000);
  const NS = 'e2e-drift';
  const OWN = 'e2e-drift-system';
  const INSTANCE = 'e2e-drift-webhook';
  const SECRET_VALUE = 'drift-s3cr3t-Vq8tLm2Xp';
  let webhook: WebhookProcess | undefined;

  /** PolicyDrift Events on an object, as kubectl shows them. */
  async function driftEvents(name: string): Promise<any[]> {
    const out = await testCluster().kubectl.ok(['-n', NS, 'get', 'events', '--field-selector', `involvedObject.name=${name},reason=PolicyDrift`, '-o', 'json']);
    return JSON.parse(out).items;
  }

  /** The webhook's /metrics text. */
  async function metrics(): Promise<string> {
    return (await request(`${webhook!.baseUrl}/metrics`, { ca: webhook!.caPem })).text;
  }

  before(async () => {
    const k = testCluster().kubectl;
    for (const ns of [NS, OWN]) await k.ok(['create', 'namespace', ns]);
    await k.ok(['-n', NS, 'create', 'configmap', 'drift-app', '--from-literal=level=info']);
    await k.ok(['-n', NS, 'create', 'secret', 'generic', 'drift-secret', `--from-literal=password=${SECRET_VALUE}`]);
    const dir = join(testCluster().dir, 'drift-webhook');
    await mkdir(dir, { recursive: true });
    webhook = new WebhookProcess({ kubeconfig: testCluster().kubeconfig, dir, policiesDir: await e2ePolicies(dir), ownNamespace: OWN, extraArgs: ['--drift-scan-interval', '2s'] });
    // The replica's identity is POD_NAME_pid: name it so its Events can be told from the shared webhook's.
    const saved = process.env.POD_NAME;
    process.env.POD_NAME = INSTANCE;
    try {
      await webhook.start();
    } finally {
      if (saved === undefined) delete process.env.POD_NAME;
      else process.env.POD_NAME = saved;
    }
  });
  after(async () => {
    await webhook?.stop();
    const k = testCluster().kubectl;
    for (const ns of [NS, OWN]) await k.run(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('leads (alone on its own lease), scans, and finds nothing while the objects pass every policy', async () => {
    await eventually(async () => {
      const m = await metrics();
      assert.match(m, /^bulwark_controller_leader 1$/m);
      assert.match(m, /^bulwark_drift_scans_total\{result="success"\} [1-9]/m);
    }, 30_000);
    assert.match(webhook!.log(), /became the controllers leader/);
    assert.deepEqual(await driftEvents('drift-app'), []);
    assert.doesNotMatch(await metrics(), new RegExp(`bulwark_policy_drift_objects\\{[^}]*namespace="${NS}"`));
  });

  it('after a ConfigPolicy the objects violate is added: one PolicyDrift Event per object, the gauge counts them, no value anywhere', async () => {
    const k = testCluster().kubectl;
    const policy = {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'ConfigPolicy',
      metadata: { name: 'require-immutable', namespace: NS },
      spec: { mode: 'enforce', match: { kinds: ['ConfigMap', 'Secret'] }, rules: [{ rule: 'immutability', params: { requireImmutable: true, managed: 'matched' } }] },
    };
    const t0 = Date.now();
    const applied = await k.apply(policy);
    assert.equal(applied.code, 0, applied.stderr);
    const events = await eventually(async () => {
      const e = (await driftEvents('drift-app')).filter((x) => String(x.reportingInstance).startsWith(`${INSTANCE}_`));
      assert.equal(e.length, 1, 'a PolicyDrift Event on the ConfigMap');
      return e;
    }, 30_000, 500);
    const detectedMs = Date.now() - t0;
    const e = events[0];
    assert.equal(e.type, 'Warning');
    assert.equal(e.involvedObject.kind, 'ConfigMap');
    assert.match(e.message, /^ConfigMap e2e-drift\/drift-app no longer passes policy e2e-drift\/require-immutable rule immutability \(enforce; a change would be denied\): .*immutable: true/);
    assert.match(e.message, /fix the ConfigMap so it passes, or change the policy/);

    await eventually(async () => {
      assert.match(await metrics(), /^bulwark_policy_drift_objects\{policy="e2e-drift\/require-immutable",rule="immutability",namespace="e2e-drift",tenant="none"\} 2$/m);
    }, 15_000);

    const secretEvents = await eventually(async () => {
      const s = await driftEvents('drift-secret');
      assert.ok(s.length >= 1, 'a PolicyDrift Event on the Secret');
      return s;
    }, 15_000);
    const b64 = Buffer.from(SECRET_VALUE).toString('base64');
    for (const ev of [...secretEvents, ...events]) assert.ok(!JSON.stringify(ev).includes(SECRET_VALUE) && !JSON.stringify(ev).includes(b64), 'no Secret value in an Event');
    assert.ok(!webhook!.log().includes(SECRET_VALUE) && !webhook!.log().includes(b64), 'no Secret value in the log');

    // Several more scans (every 2 s): the unchanged finding gets no new Event.
    await sleep(5_000);
    const later = (await driftEvents('drift-app')).filter((x) => String(x.reportingInstance).startsWith(`${INSTANCE}_`));
    assert.equal(later.length, 1, 'an unchanged finding is reported once');
    assert.match(await metrics(), /^bulwark_drift_scans_total\{result="success"\} ([4-9]|\d\d+)$/m);
    process.stderr.write(`  [e2e] drift: policy applied -> PolicyDrift Event in ${detectedMs} ms (interval 2 s)\n`);
  });

  it('fixing the object clears it from the gauge on the next scan', async () => {
    const k = testCluster().kubectl;
    // Immutable objects cannot be edited in place: recreate the ConfigMap immutable (the shared webhook, if registered, admits it).
    await k.ok(['-n', NS, 'delete', 'configmap', 'drift-app']);
    const r = await k.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drift-app', namespace: NS }, data: { level: 'info' }, immutable: true });
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => {
      assert.match(await metrics(), /^bulwark_policy_drift_objects\{policy="e2e-drift\/require-immutable",rule="immutability",namespace="e2e-drift",tenant="none"\} 1$/m);
    }, 15_000);
  });
});
