/**
 * Turns an injection plan into the JSON Patch for one pod. Operations are ordered so indices stay
 * valid: mounts into existing containers come before init containers are prepended.
 */
import type { KubeObject, PatchOperation } from '../admission/types.js';
import type { PodSpecView } from './context.js';
import { addOp, appendToArray, pointer, prependToArray, setField, setMapEntries } from './json-patch.js';
import type { MountTarget } from './targets.js';

/** What to add to the pod. */
export interface PodPlan {
  /** Prepended to spec.initContainers, in this order. */
  initContainers: Record<string, unknown>[];
  /** Appended to spec.containers. */
  containers: Record<string, unknown>[];
  volume: Record<string, unknown>;
  /** App containers that get the read-only mount. */
  targets: MountTarget[];
  mount: Record<string, unknown>;
  shareProcessNamespace: boolean;
  /** Annotations to set (the status annotation). */
  annotations: Record<string, string>;
}

/** Builds the JSON Patch that applies the plan to the pod. */
export function buildPodPatch(pod: KubeObject, plan: PodPlan): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (typeof pod.metadata !== 'object' || pod.metadata === null) ops.push(addOp('/metadata', { annotations: { ...plan.annotations } }));
  else ops.push(...setMapEntries('/metadata/annotations', pod.metadata.annotations, plan.annotations));

  const hasSpec = typeof pod.spec === 'object' && pod.spec !== null && !Array.isArray(pod.spec);
  if (!hasSpec) ops.push(addOp('/spec', {}));
  const spec: PodSpecView = hasSpec ? (pod.spec as PodSpecView) : {};

  ops.push(...appendToArray('/spec/volumes', spec.volumes, [plan.volume]));
  for (const t of plan.targets) {
    const mounts = spec[t.list]?.[t.index]?.volumeMounts;
    ops.push(...appendToArray(pointer('spec', t.list, t.index, 'volumeMounts'), mounts, [plan.mount]));
  }
  ops.push(...prependToArray('/spec/initContainers', spec.initContainers, plan.initContainers));
  ops.push(...appendToArray('/spec/containers', spec.containers, plan.containers));
  if (plan.shareProcessNamespace && spec.shareProcessNamespace !== true) ops.push(setField('/spec/shareProcessNamespace', true));
  return ops;
}
