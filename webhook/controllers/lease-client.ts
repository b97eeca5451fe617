/**
 * Reads and writes one coordination.k8s.io/v1 Lease: the only I/O of leader election. A 409 from
 * the apiserver (someone else created or updated the lease first) becomes a LeaseConflictError, so
 * the elector can re-read and decide again.
 */
import type * as k8s from '@kubernetes/client-node';
import { apiStatus, describeApiError } from './kube-api.js';
import type { LeaseState } from './lease-decision.js';

/** One version of the lease: its fields and the resourceVersion an update must name. */
export interface LeaseRecord {
  state: LeaseState;
  resourceVersion: string;
}

/** The lease operations the elector needs. */
export interface LeaseClient {
  /** The lease, or undefined when it does not exist. */
  get(): Promise<LeaseRecord | undefined>;
  /** Creates the lease; throws LeaseConflictError when it already exists. */
  create(state: LeaseState): Promise<LeaseRecord>;
  /** Replaces the lease if it is still at prev.resourceVersion; throws LeaseConflictError otherwise. */
  update(prev: LeaseRecord, state: LeaseState): Promise<LeaseRecord>;
}

/** Another writer changed the lease between our read and our write (HTTP 409). */
export class LeaseConflictError extends Error {
  constructor(message = 'the lease was changed by another writer') {
    super(message);
    this.name = 'LeaseConflictError';
  }
}

/** Converts a MicroTime as client-node returns it (an RFC 3339 string or a Date) to epoch ms. */
export function timeMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Reads the election fields of a Lease object. */
export function leaseStateOf(lease: k8s.V1Lease): LeaseState {
  const s = lease.spec ?? {};
  return {
    holderIdentity: s.holderIdentity || undefined,
    leaseDurationSeconds: s.leaseDurationSeconds,
    acquireTimeMs: timeMs(s.acquireTime),
    renewTimeMs: timeMs(s.renewTime),
    leaseTransitions: s.leaseTransitions,
  };
}

/** Creates a LeaseClient for the lease `name` in `namespace`. */
export async function kubeLeaseClient(kc: k8s.KubeConfig, namespace: string, name: string): Promise<LeaseClient> {
  const { CoordinationV1Api, V1MicroTime } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CoordinationV1Api);
  const micro = (ms: number | undefined) => (ms === undefined ? undefined : new V1MicroTime(ms));
  const body = (state: LeaseState, resourceVersion?: string): k8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      ...(state.holderIdentity ? { holderIdentity: state.holderIdentity } : {}),
      leaseDurationSeconds: state.leaseDurationSeconds,
      acquireTime: micro(state.acquireTimeMs),
      renewTime: micro(state.renewTimeMs),
      leaseTransitions: state.leaseTransitions,
    } as k8s.V1LeaseSpec,
  });
  const record = (lease: k8s.V1Lease): LeaseRecord => ({ state: leaseStateOf(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' });
  const conflicts = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (apiStatus(err) === 409) throw new LeaseConflictError();
      throw new Error(`write Lease ${namespace}/${name}: ${describeApiError(err)}`);
    }
  };
  return {
    async get() {
      try {
        return record(await api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if (apiStatus(err) === 404) return undefined;
        throw new Error(`read Lease ${namespace}/${name}: ${describeApiError(err)}`);
      }
    },
    create: (state) => conflicts(async () => record(await api.createNamespacedLease({ namespace, body: body(state) }))),
    update: (prev, state) => conflicts(async () => record(await api.replaceNamespacedLease({ name, namespace, body: body(state, prev.resourceVersion) }))),
  };
}
