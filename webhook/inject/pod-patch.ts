/**
 * Turns an injection plan into the JSON Patch for one pod. Operations are ordered so indices stay
 * valid: mounts into existing containers come before init containers are prepended.
 */
import type { KubeObject, PatchOperation } from '../admission/types.js';
import type { PodSpecView } from './context.js';
import { addOp, appendToArray, pointer, prependToArray, setField, setMapEntries } from './json-patch.js';
import { buildAppMount } from './containers.js';
import { OWNED_CONTAINER_NAMES, VOLUME_NAME, selectTargets, type MountTarget } from './targets.js';

/** What to add to the pod. */
export interface PodPlan {
  /** Prepended to spec.initContainers, in this order. */
  initContainers: Record<string, unknown>[];
  /** Appended to spec.containers. */
  containers: Record<string, unknown>[];
  /** Appended to spec.volumes: Bulwark's shared volume first, then its credential volumes. */
  volumes: Record<string, unknown>[];
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

  ops.push(...appendToArray('/spec/volumes', spec.volumes, plan.volumes));
  for (const t of plan.targets) {
    const mounts = spec[t.list]?.[t.index]?.volumeMounts;
    ops.push(...appendToArray(pointer('spec', t.list, t.index, 'volumeMounts'), mounts, [plan.mount]));
  }
  ops.push(...prependToArray('/spec/initContainers', spec.initContainers, plan.initContainers));
  ops.push(...appendToArray('/spec/containers', spec.containers, plan.containers));
  if (plan.shareProcessNamespace && spec.shareProcessNamespace !== true) ops.push(setField('/spec/shareProcessNamespace', true));
  return ops;
}

/** The mounts a re-invocation adds: a patch, the containers it mounts into, and containers it cannot. */
export interface RemountPlan {
  patch: PatchOperation[];
  containers: string[];
  warnings: string[];
}

/**
 * On re-invocation of an injected pod, finds the target app containers that lack the Bulwark volume
 * (added by webhooks that ran after Bulwark) and mounts it read-only into them. Containers that already
 * mount the volume are left alone, so a second re-invocation adds nothing; a container with another
 * volume at the mount path is left alone with a warning.
 */
export function planRemount(spec: PodSpecView, names: string[] | undefined, mountPath: string): RemountPlan {
  const out: RemountPlan = { patch: [], containers: [], warnings: [] };
  const { targets } = selectTargets(spec, names);
  for (const t of targets) {
    if (OWNED_CONTAINER_NAMES.includes(t.name)) continue;
    const mounts = spec[t.list]?.[t.index]?.volumeMounts;
    if (Array.isArray(mounts) && mounts.some((m) => m?.name === VOLUME_NAME)) continue;
    if (Array.isArray(mounts) && mounts.some((m) => m?.mountPath === mountPath || m?.mountPath === `${mountPath}/`)) {
      out.warnings.push(`container ${t.name}, added after injection, already mounts a volume at ${mountPath}; it does not get Bulwark's files`);
      continue;
    }
    out.patch.push(...appendToArray(pointer('spec', t.list, t.index, 'volumeMounts'), mounts, [buildAppMount(mountPath)]));
    out.containers.push(t.name);
  }
  return out;
}
