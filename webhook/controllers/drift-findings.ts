/**
 * The pure core of the policy drift scan: evaluate an existing ConfigMap or Secret with the same
 * engine admission uses (as if it were created now), keep the findings a user would see (denials and
 * warnings), make sure no value of the object appears in a message, and fingerprint each finding so
 * an unchanged one is reported once.
 */
import { createHash } from 'node:crypto';
import type { AdmissionRequest, KubeObject } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import type { DocumentSet, PolicyMode } from '../policy/documents.js';
import { evaluate } from '../policy/engine.js';
import { namespaceContext } from '../tenancy/resolve.js';
import { tenantMetricLabel } from '../tenancy/tenants.js';

/** The kinds the drift scan looks at. */
export type DriftKind = 'ConfigMap' | 'Secret';

/** One way an existing object is out of policy. Messages name keys and paths, never values. */
export interface DriftFinding {
  kind: DriftKind;
  namespace: string;
  name: string;
  uid: string;
  policy: string;
  rule: string;
  mode: PolicyMode;
  /** fail: a create or update would be denied (enforce) or warned about (audit); warn: advice. */
  result: 'fail' | 'warn';
  message: string;
  path?: string;
  /** The bounded tenant metric label of the object's namespace. */
  tenant: string;
}

/** The user name the synthetic requests carry (never a real user). */
export const DRIFT_SCAN_USER = 'system:serviceaccount:bulwark:drift-scan';

/** Builds the synthetic CREATE request for an existing object: policies judge it as if it were created now. */
export function driftRequest(kind: DriftKind, obj: KubeObject): AdmissionRequest {
  const md = obj.metadata ?? {};
  const resource = kind === 'ConfigMap' ? 'configmaps' : 'secrets';
  const req: AdmissionRequest = {
    uid: `drift-${String(md.uid ?? `${md.namespace}/${md.name}`)}`,
    kind: { group: '', version: 'v1', kind },
    resource: { group: '', version: 'v1', resource },
    operation: 'CREATE',
    userInfo: { username: DRIFT_SCAN_USER },
    object: { ...obj, apiVersion: 'v1', kind },
  };
  if (md.name) req.name = md.name;
  if (md.namespace) req.namespace = md.namespace;
  return req;
}

/** The values of an object as they could appear in text: ConfigMap data as is, binary and Secret data base64 and decoded. */
function valuesOf(obj: KubeObject): string[] {
  const out: string[] = [];
  const add = (m: unknown, base64: boolean) => {
    if (!m || typeof m !== 'object') return;
    for (const v of Object.values(m as Record<string, unknown>)) {
      if (typeof v !== 'string') continue;
      out.push(v);
      if (base64) out.push(Buffer.from(v, 'base64').toString('utf8'));
    }
  };
  add(obj.data, obj.kind === 'Secret');
  add(obj.binaryData, true);
  add(obj.stringData, false);
  return out;
}

/**
 * Shortest value scrubbed, by kind: shorter ones ("true", "prod") would mangle ordinary words of
 * messages. Rules never echo values; this is a second line of defence for anything secret-like.
 */
export const MIN_SCRUB_LENGTH: Record<string, number> = { Secret: 6, ConfigMap: 12 };

/** Replaces every occurrence of one of the object's values (or a line of one) in text with [redacted]. */
export function scrubValues(text: string, obj: KubeObject): string {
  const min = MIN_SCRUB_LENGTH[String(obj.kind)] ?? 6;
  let out = text;
  const candidates = new Set<string>();
  for (const v of valuesOf(obj)) {
    candidates.add(v);
    for (const line of v.split('\n')) candidates.add(line.trim());
  }
  for (const c of [...candidates].sort((a, b) => b.length - a.length)) {
    if (c.length < min || c.length > out.length) continue;
    if (out.includes(c)) out = out.split(c).join('[redacted]');
  }
  return out;
}

/** What findDrift needs: the object as read from the API, the documents in force, the cache and Bulwark's namespace. */
export interface FindDriftInput {
  kind: DriftKind;
  object: KubeObject;
  docs: DocumentSet;
  state: ClusterState;
  ownNamespace: string;
}

/** Evaluates an existing object and returns its drift findings (fail and warn; broken policies are not the object's fault). */
export function findDrift(input: FindDriftInput): DriftFinding[] {
  const { kind, object, docs, state, ownNamespace } = input;
  const md = object.metadata ?? {};
  const namespace = String(md.namespace ?? '');
  const findings = evaluate({ request: driftRequest(kind, object), docs, state, ownNamespace });
  const drift = findings.filter((f) => f.result === 'fail' || f.result === 'warn');
  if (!drift.length) return [];
  const tenant = tenantMetricLabel(docs, namespaceContext(docs, state.namespace(namespace)).tenant);
  return drift.map((f) => {
    const d: DriftFinding = {
      kind,
      namespace,
      name: String(md.name ?? ''),
      uid: String(md.uid ?? ''),
      policy: f.policy,
      rule: f.rule,
      mode: f.mode,
      result: f.result as 'fail' | 'warn',
      message: scrubValues(f.message, { ...object, kind }),
      tenant,
    };
    if (f.path) d.path = f.path;
    return d;
  });
}

/** A stable identity of a finding on one object; the message enters only as a hash. */
export function fingerprint(f: DriftFinding): string {
  const digest = createHash('sha256').update(`${f.path ?? ''}\n${f.message}`).digest('hex').slice(0, 16);
  return [f.kind, f.namespace, f.name, f.uid, f.policy, f.rule, f.mode, f.result, digest].join('|');
}

/** The key of an object in the scan's bookkeeping. */
export function objectKey(kind: DriftKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** One row of the drift gauge: distinct drifting objects per policy, rule, namespace and tenant. */
export interface DriftGaugeRow {
  labels: { policy: string; rule: string; namespace: string; tenant: string };
  objects: number;
}

/** Counts distinct objects per (policy, rule, namespace, tenant). */
export function driftGaugeRows(findings: DriftFinding[]): DriftGaugeRow[] {
  const rows = new Map<string, { row: DriftGaugeRow; seen: Set<string> }>();
  for (const f of findings) {
    const labels = { policy: f.policy, rule: f.rule, namespace: f.namespace, tenant: f.tenant };
    const key = JSON.stringify(labels);
    let entry = rows.get(key);
    if (!entry) rows.set(key, (entry = { row: { labels, objects: 0 }, seen: new Set() }));
    const obj = objectKey(f.kind, f.namespace, f.name);
    if (!entry.seen.has(obj)) {
      entry.seen.add(obj);
      entry.row.objects++;
    }
  }
  return [...rows.values()].map((e) => e.row);
}
