/**
 * Turns a workload manifest into the pod its controller would create, for the injection pipeline to
 * build the sidecar spec from: the pod template's metadata and spec, the namespace, the ServiceAccount
 * and the ownerReference the pod would carry. Pure.
 */
import type { KubeObject } from '../admission/types.js';
import { podSpecOf } from '../policy/rules/objects.js';
import { SPEC_ENV } from '../../sidecar/spec/types.js';
import { OWNED_CONTAINER_NAMES } from '../inject/targets.js';
import type { WorkloadRef } from './sidecar-role.js';

/** A workload's pod, where it runs and as whom. */
export interface WorkloadPod {
  workload: WorkloadRef;
  namespace: string;
  serviceAccount: string;
  pod: KubeObject;
}

/**
 * The owner a controller sets on the pods of a workload kind. A Deployment's pods belong to a
 * ReplicaSet named <deployment>-<pod-template-hash>; the hash is unknown offline and only the
 * ReplicaSet's name pattern matters here. A CronJob's pods belong to one of its Jobs.
 */
function podOwner(kind: string, name: string): { apiVersion: string; kind: string; name: string } | undefined {
  switch (kind) {
    case 'Deployment':
      return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-pod-template-hash` };
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
      return { apiVersion: 'apps/v1', kind, name };
    case 'Job':
      return { apiVersion: 'batch/v1', kind: 'Job', name };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind: 'Job', name: `${name}-job` };
    case 'ReplicationController':
      return { apiVersion: 'v1', kind, name };
    default:
      return undefined;
  }
}

/** The pod of a Pod or workload manifest (undefined for objects that carry no pod spec). */
export function podOfWorkload(obj: KubeObject, defaultNamespace: string): WorkloadPod | undefined {
  const at = podSpecOf(obj);
  if (!at) return undefined;
  const kind = String(obj.kind);
  const name = String(obj.metadata?.name ?? obj.metadata?.generateName ?? '');
  const namespace = String(obj.metadata?.namespace ?? defaultNamespace);
  const spec = structuredClone(at.spec);
  const serviceAccount = String(spec.serviceAccountName ?? spec.serviceAccount ?? 'default');
  // As the ServiceAccount admission plugin does before the webhooks see the pod.
  spec.serviceAccountName = serviceAccount;
  if (kind === 'Pod') {
    const pod = { ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata ?? {}), namespace }, spec } as KubeObject;
    return { workload: { kind, name }, namespace, serviceAccount, pod };
  }
  const owner = podOwner(kind, name);
  const metadata: Record<string, unknown> = { ...structuredClone(at.metadata), namespace, generateName: `${name}-` };
  if (owner) metadata.ownerReferences = [{ ...owner, uid: '', controller: true }];
  return { workload: { kind, name }, namespace, serviceAccount, pod: { apiVersion: 'v1', kind: 'Pod', metadata, spec } as KubeObject };
}

/** The spec carried by an already injected pod's Bulwark containers (their literal BULWARK_SPEC), as text. */
export function carriedSpec(pod: KubeObject): string | undefined {
  if (pod.kind !== 'Pod') return undefined;
  const spec = (pod.spec ?? {}) as { initContainers?: unknown; containers?: unknown };
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of Array.isArray(list) ? (list as Array<{ name?: unknown; env?: unknown }>) : []) {
      if (!OWNED_CONTAINER_NAMES.includes(String(c?.name)) || !Array.isArray(c.env)) continue;
      const e = (c.env as Array<{ name?: unknown; value?: unknown }>).find((v) => v?.name === SPEC_ENV && typeof v.value === 'string');
      if (e) return e.value as string;
    }
  }
  return undefined;
}
