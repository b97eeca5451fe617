/**
 * The drift scanner over a MemoryClusterState (names), a fake API reader (objects) and a recording
 * event sink: what is scanned (not exempt namespaces), the gauge and scan counter, one Event per new
 * finding (none for an unchanged one, again after it went away and came back), unreadable objects
 * keep their findings, the concurrency limit, and no Secret value in any Event.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../webhook/admission/types.js';
import { DriftScanner } from '../../../webhook/controllers/drift-scan.js';
import { createMetrics } from '../../../webhook/metrics.js';
import type { DocumentSet } from '../../../webhook/policy/documents.js';
import { buildDocumentSet } from '../../../webhook/policy/loader.js';
import { policy, state } from '../policy/helpers.js';
import { FakeClock, FakeEvents, FakeReader } from './fakes.js';

const SECRET_VALUE = 'Zr8vN2xLp9Qz4wKm8eYcTq';

const immutableInTeamA = () =>
  buildDocumentSet([policy('must-be-immutable', { match: { kinds: ['ConfigMap', 'Secret'], namespaces: ['team-a'] }, rules: [{ rule: 'immutability', params: { requireImmutable: true, managed: 'matched' } }] })]);

function obj(kind: 'ConfigMap' | 'Secret', ns: string, name: string, immutable = false): KubeObject {
  const data = kind === 'Secret' ? { password: Buffer.from(SECRET_VALUE).toString('base64') } : { level: 'info' };
  return { apiVersion: 'v1', kind, metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` }, data, immutable };
}

/** A cluster (cache + API) holding the given objects, and a scanner over it. */
function setup(objects: KubeObject[], docs: () => DocumentSet = immutableInTeamA) {
  const s = state();
  s.upsert({ kind: 'Namespace', metadata: { name: 'kube-system' } });
  const reader = new FakeReader();
  for (const o of objects) {
    s.upsert(o);
    reader.add(o);
  }
  const events = new FakeEvents();
  const metrics = createMetrics({ processMetrics: false });
  const clock = new FakeClock();
  const scanner = new DriftScanner({ state: s, docs, ownNamespace: 'bulwark-system', reader, events, instance: 'pod-a_1', metrics, now: clock.now, concurrency: 2 });
  return { s, reader, events, metrics, clock, scanner };
}

async function gauge(m: ReturnType<typeof createMetrics>): Promise<Array<[string, string, string, string, number]>> {
  const v = (await m.policyDriftObjects.get()).values;
  return v.map((x) => [String(x.labels.policy), String(x.labels.rule), String(x.labels.namespace), String(x.labels.tenant), x.value]);
}

async function scans(m: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  return Object.fromEntries((await m.driftScans.get()).values.map((x) => [String(x.labels.result), x.value]));
}

describe('controllers/drift-scan', () => {
  it('reports drifting objects once: gauge, counter and one Event each; exempt namespaces are never read', async () => {
    const { reader, events, metrics, scanner } = setup([
      obj('ConfigMap', 'team-a', 'app'),
      obj('ConfigMap', 'team-a', 'fine', true),
      obj('Secret', 'team-a', 'db'),
      obj('ConfigMap', 'team-b', 'elsewhere'),
      obj('ConfigMap', 'kube-system', 'skipped'),
      obj('Secret', 'bulwark-system', 'own'),
    ]);
    const r = await scanner.scan();
    assert.equal(r.result, 'success');
    assert.equal(r.scanned, 4, 'kube-system and bulwark-system are not read');
    assert.equal(reader.gets, 4);
    assert.deepEqual(r.findings.map((f) => `${f.kind}/${f.name}`).sort(), ['ConfigMap/app', 'Secret/db']);
    assert.deepEqual(await gauge(metrics), [['must-be-immutable', 'immutability', 'team-a', 'other', 2]]);
    assert.deepEqual(events.created.map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}:${e.reason}:${e.type}`).sort(), ['ConfigMap/app:PolicyDrift:Warning', 'Secret/db:PolicyDrift:Warning']);
    for (const e of events.created) {
      assert.match(e.message, /policy must-be-immutable rule immutability/);
      assert.ok(!JSON.stringify(e).includes(SECRET_VALUE) && !JSON.stringify(e).includes(Buffer.from(SECRET_VALUE).toString('base64')), 'no Secret value in an Event');
    }
    assert.equal(r.eventsCreated, 2);

    const again = await scanner.scan();
    assert.equal(again.findings.length, 2);
    assert.equal(again.eventsCreated, 0, 'an unchanged finding creates no new Event');
    assert.equal(events.created.length, 2);
    assert.deepEqual(await scans(metrics), { success: 2 });
  });

  it('reports a finding again after it was fixed and came back, and drops fixed objects from the gauge', async () => {
    const { s, reader, events, metrics, scanner } = setup([obj('ConfigMap', 'team-a', 'app')]);
    await scanner.scan();
    assert.equal(events.created.length, 1);
    const fixed = obj('ConfigMap', 'team-a', 'app', true);
    reader.add(fixed);
    s.upsert(fixed);
    const r = await scanner.scan();
    assert.equal(r.findings.length, 0);
    assert.deepEqual(await gauge(metrics), []);
    reader.add(obj('ConfigMap', 'team-a', 'app'));
    await scanner.scan();
    assert.equal(events.created.length, 2, 'the finding came back: a new Event');
  });

  it('finds drift when the policy changes after admission (same object, new documents)', async () => {
    let docs = buildDocumentSet([]);
    const { events, scanner } = setup([obj('ConfigMap', 'team-a', 'app')], () => docs);
    assert.equal((await scanner.scan()).findings.length, 0);
    docs = immutableInTeamA();
    const r = await scanner.scan();
    assert.deepEqual(r.findings.map((f) => f.policy), ['must-be-immutable']);
    assert.equal(events.created.length, 1);
  });

  it('keeps the previous findings of an object it could not read, and says the scan was partial', async () => {
    const { reader, metrics, scanner } = setup([obj('ConfigMap', 'team-a', 'app'), obj('ConfigMap', 'team-a', 'flaky')]);
    await scanner.scan();
    reader.failing.add('flaky');
    const r = await scanner.scan();
    assert.equal(r.result, 'partial');
    assert.equal(r.unreadable, 1);
    assert.deepEqual(r.findings.map((f) => f.name).sort(), ['app', 'flaky']);
    assert.deepEqual(await gauge(metrics), [['must-be-immutable', 'immutability', 'team-a', 'other', 2]]);
    assert.deepEqual(await scans(metrics), { success: 1, partial: 1 });
  });

  it('skips objects deleted since the cache listed them', async () => {
    const { reader, scanner } = setup([obj('ConfigMap', 'team-a', 'app')]);
    reader.objects.clear();
    const r = await scanner.scan();
    assert.equal(r.result, 'success');
    assert.equal(r.scanned, 0);
    assert.equal(r.findings.length, 0);
  });

  it('retries an Event that could not be created on the next scan', async () => {
    const { events, scanner } = setup([obj('ConfigMap', 'team-a', 'app')]);
    events.fail = true;
    assert.equal((await scanner.scan()).eventsCreated, 0);
    events.fail = false;
    assert.equal((await scanner.scan()).eventsCreated, 1);
    assert.equal((await scanner.scan()).eventsCreated, 0);
  });

  it('skips the scan until the caches are synced', async () => {
    const { s, reader, metrics, scanner } = setup([obj('ConfigMap', 'team-a', 'app')]);
    s.setSynced(false);
    const r = await scanner.scan();
    assert.equal(r.result, 'skipped');
    assert.equal(reader.gets, 0);
    assert.deepEqual(await scans(metrics), { skipped: 1 });
  });

  it('reads at most `concurrency` objects at a time', async () => {
    const objects = Array.from({ length: 12 }, (_, i) => obj('ConfigMap', 'team-b', `cm-${i}`));
    const { reader, scanner } = setup(objects);
    await scanner.scan();
    assert.equal(reader.gets, 12);
    assert.equal(reader.maxInFlight, 2);
  });

  it('reset() forgets findings and clears the gauge (a replica that stops leading)', async () => {
    const { events, metrics, scanner } = setup([obj('ConfigMap', 'team-a', 'app')]);
    await scanner.scan();
    scanner.reset();
    assert.deepEqual(await gauge(metrics), []);
    assert.equal(scanner.reportedFingerprints().size, 0);
    await scanner.scan();
    assert.equal(events.created.length, 2, 'a new term reports again');
  });

  it('times the scan with its clock', async () => {
    const { clock, scanner, reader } = setup([obj('ConfigMap', 'team-a', 'app')]);
    const get = reader.get.bind(reader);
    reader.get = async (...args) => {
      clock.advance(40);
      return get(...args);
    };
    assert.equal((await scanner.scan()).durationMs, 40);
  });
});
