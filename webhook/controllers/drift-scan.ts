/**
 * The policy drift scan: on the leader, every --drift-scan-interval, list the ConfigMaps and Secrets
 * the cluster cache knows (summaries only), GET each one from the API with a small concurrency limit,
 * evaluate it with the admission policy engine, and report what would be denied or warned today: the
 * bulwark_policy_drift_objects gauge and one Warning Event (reason PolicyDrift) per new finding.
 * Secret objects live only for the duration of their own evaluation; values are never kept or logged.
 */
import type { KubeObject } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import type { DocumentSet } from '../policy/documents.js';
import { isExemptNamespace } from '../policy/engine.js';
import { buildDriftEvent, type DriftEvent } from './drift-event.js';
import { driftGaugeRows, findDrift, fingerprint, objectKey, type DriftFinding, type DriftKind } from './drift-findings.js';
import { mapLimit } from './map-limit.js';

/** Reads one object from the API; undefined when it no longer exists. */
export interface ObjectReader {
  get(kind: DriftKind, namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** Creates Events. */
export interface EventSink {
  create(event: DriftEvent): Promise<void>;
}

/** What a DriftScanner needs. */
export interface DriftScannerOptions {
  state: ClusterState;
  docs: () => DocumentSet;
  ownNamespace: string;
  reader: ObjectReader;
  events: EventSink;
  /** The replica's identity, named in Events as reportingInstance. */
  instance: string;
  metrics?: WebhookMetrics;
  logger?: Logger;
  /** Concurrent GETs (default 4). */
  concurrency?: number;
  now?: () => number;
}

/** How a scan ended. */
export type DriftScanResultKind = 'success' | 'partial' | 'failure' | 'skipped';

/** The outcome of one scan. */
export interface DriftScanResult {
  result: DriftScanResultKind;
  /** Objects evaluated (read successfully). */
  scanned: number;
  /** Objects that could not be read (their previous findings are kept). */
  unreadable: number;
  findings: DriftFinding[];
  eventsCreated: number;
  durationMs: number;
}

const KINDS: readonly DriftKind[] = ['ConfigMap', 'Secret'];

/** Scans existing objects for policy drift and reports it; one instance per leader term. */
export class DriftScanner {
  /** Findings of the last scan, by object. */
  private byObject = new Map<string, DriftFinding[]>();
  /** Fingerprints of findings an Event was created for; an unchanged finding gets no new Event. */
  private reported = new Set<string>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: DriftScannerOptions) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'drift-scan' });
    this.now = opts.now ?? Date.now;
  }

  /** Fingerprints that have been reported (for tests and diagnostics). */
  reportedFingerprints(): ReadonlySet<string> {
    return this.reported;
  }

  /** Forgets all findings and clears the gauge (when this replica stops leading). */
  reset(): void {
    this.byObject.clear();
    this.reported.clear();
    this.opts.metrics?.policyDriftObjects.reset();
  }

  /** Runs one scan and reports its findings; never throws. */
  async scan(): Promise<DriftScanResult> {
    const started = this.now();
    const done = (result: DriftScanResultKind, rest: Omit<DriftScanResult, 'result' | 'durationMs'>): DriftScanResult => {
      this.opts.metrics?.driftScans.inc({ result });
      return { result, durationMs: this.now() - started, ...rest };
    };
    if (!this.opts.state.synced()) {
      this.log.info('drift scan skipped: cluster caches not synced');
      return done('skipped', { scanned: 0, unreadable: 0, findings: [], eventsCreated: 0 });
    }
    try {
      const docs = this.opts.docs();
      const targets = KINDS.flatMap((kind) => this.opts.state.objects(kind).filter((o) => !isExemptNamespace(o.namespace, this.opts.ownNamespace)).map((o) => ({ kind, namespace: o.namespace, name: o.name })));
      const next = new Map<string, DriftFinding[]>();
      let scanned = 0;
      let unreadable = 0;
      await mapLimit(targets, this.opts.concurrency ?? 4, async (t) => {
        const key = objectKey(t.kind, t.namespace, t.name);
        let object: KubeObject | undefined;
        try {
          object = await this.opts.reader.get(t.kind, t.namespace, t.name);
        } catch (err) {
          unreadable++;
          const prev = this.byObject.get(key);
          if (prev) next.set(key, prev);
          this.log.warn('drift scan could not read an object', { kind: t.kind, namespace: t.namespace, name: t.name, error: errorMessage(err) });
          return;
        }
        if (!object) return; // deleted since the cache saw it
        scanned++;
        const found = findDrift({ kind: t.kind, object, docs, state: this.opts.state, ownNamespace: this.opts.ownNamespace });
        if (found.length) next.set(key, found);
      });
      const findings = [...next.values()].flat();
      const eventsCreated = await this.report(findings);
      this.byObject = next;
      const result: DriftScanResultKind = unreadable ? 'partial' : 'success';
      this.log.info('drift scan finished', { result, scanned, unreadable, driftingObjects: next.size, findings: findings.length, eventsCreated, durationMs: this.now() - started });
      return done(result, { scanned, unreadable, findings, eventsCreated });
    } catch (err) {
      this.log.error('drift scan failed', { error: errorMessage(err) });
      return done('failure', { scanned: 0, unreadable: 0, findings: [], eventsCreated: 0 });
    }
  }

  /** Sets the gauge from the findings and creates an Event for each finding not reported before. */
  private async report(findings: DriftFinding[]): Promise<number> {
    const m = this.opts.metrics;
    if (m) {
      m.policyDriftObjects.reset();
      for (const row of driftGaugeRows(findings)) m.policyDriftObjects.set(row.labels, row.objects);
    }
    const current = new Map(findings.map((f) => [fingerprint(f), f]));
    // Forget fingerprints of findings that are gone, so a finding that comes back is reported again.
    for (const fp of [...this.reported]) if (!current.has(fp)) this.reported.delete(fp);
    const nowIso = new Date(this.now()).toISOString();
    let created = 0;
    for (const [fp, f] of current) {
      if (this.reported.has(fp)) continue;
      try {
        await this.opts.events.create(buildDriftEvent(f, nowIso, this.opts.instance));
        this.reported.add(fp);
        created++;
      } catch (err) {
        // Not remembered: the next scan tries again.
        this.log.warn('could not create a drift event', { kind: f.kind, namespace: f.namespace, name: f.name, policy: f.policy, rule: f.rule, error: errorMessage(err) });
      }
    }
    return created;
  }
}
