/**
 * Builds the Kubernetes Event (core/v1, type Warning, reason PolicyDrift) that tells the owner of an
 * existing object that it no longer passes a policy: which policy and rule, what is wrong and what to
 * do. Pure: the scanner creates it through the API.
 */
import type { DriftFinding } from './drift-findings.js';

/** The reason of every drift Event (kubectl get events --field-selector reason=PolicyDrift). */
export const DRIFT_EVENT_REASON = 'PolicyDrift';
/** The component named as the Event's source. */
export const DRIFT_EVENT_COMPONENT = 'bulwark-drift-scan';
/** Longest Event message written; longer ones are cut with an ellipsis. */
export const MAX_EVENT_MESSAGE = 1024;

/** A core/v1 Event as plain JSON. */
export interface DriftEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { generateName: string; namespace: string; labels: Record<string, string> };
  involvedObject: { apiVersion: 'v1'; kind: string; namespace: string; name: string; uid?: string };
  reason: string;
  message: string;
  type: 'Warning';
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** What the object's owner would see on the next change, in words. */
function consequence(f: DriftFinding): string {
  if (f.result === 'warn') return 'a change would get a warning';
  return f.mode === 'enforce' ? 'a change would be denied' : 'a change would get an audit warning';
}

/** The Event message: object, policy, rule, what is wrong (from the rule, never a value) and what to do. */
export function driftEventMessage(f: DriftFinding): string {
  const where = f.path ? ` (at ${f.path})` : '';
  const text =
    `${f.kind} ${f.namespace}/${f.name} no longer passes policy ${f.policy} rule ${f.rule} (${f.mode}; ${consequence(f)}): ` +
    `${f.message}${where}. It was admitted before the policy changed: fix the ${f.kind} so it passes, or change the policy.`;
  return text.length <= MAX_EVENT_MESSAGE ? text : `${text.slice(0, MAX_EVENT_MESSAGE - 1)}…`;
}

/** Builds the Warning Event for one finding, timestamped nowIso, reported by instance (the replica's identity). */
export function buildDriftEvent(f: DriftFinding, nowIso: string, instance: string): DriftEvent {
  const involved: DriftEvent['involvedObject'] = { apiVersion: 'v1', kind: f.kind, namespace: f.namespace, name: f.name };
  if (f.uid) involved.uid = f.uid;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    // Event names must be DNS subdomains of at most 253 characters; the apiserver appends a random suffix.
    metadata: { generateName: `${f.name.slice(0, 200)}.drift.`, namespace: f.namespace, labels: { 'app.kubernetes.io/managed-by': 'bulwark' } },
    involvedObject: involved,
    reason: DRIFT_EVENT_REASON,
    message: driftEventMessage(f),
    type: 'Warning',
    source: { component: DRIFT_EVENT_COMPONENT },
    reportingComponent: `bulwark.dev/${DRIFT_EVENT_COMPONENT}`,
    reportingInstance: instance.slice(0, 128),
    firstTimestamp: nowIso,
    lastTimestamp: nowIso,
    count: 1,
  };
}
