/**
 * Pod-side checks: which app containers get the read-only mount (the containers annotation, default
 * all), and whether the pod already holds a name Bulwark injects or a mount at the mount path.
 */
import { ANNOTATION_CONTAINERS, ANNOTATION_MOUNT_PATH } from './annotations.js';
import type { PodSpecView } from './context.js';
import { fieldError, quote, type FieldError } from './field-error.js';

/** The name of the injected init container. */
export const INIT_CONTAINER_NAME = 'bulwark-init';
/** The name of the injected long-running sidecar. */
export const SIDECAR_CONTAINER_NAME = 'bulwark-sidecar';
/** The name of the injected in-memory volume. */
export const VOLUME_NAME = 'bulwark-files';
/** Every name Bulwark owns in a pod. */
export const OWNED_CONTAINER_NAMES: readonly string[] = [INIT_CONTAINER_NAME, SIDECAR_CONTAINER_NAME];

/** One app container that receives the mount: which list it is in and its index there. */
export interface MountTarget {
  list: 'containers' | 'initContainers';
  index: number;
  name: string;
}

/** Reports whether the pod already carries a Bulwark container (it was injected before). */
export function hasBulwarkContainers(spec: PodSpecView): boolean {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((c) => OWNED_CONTAINER_NAMES.includes(c?.name));
}

/** Selects the mount targets: the named containers, or every app container and init container. */
export function selectTargets(spec: PodSpecView, names: string[] | undefined): { targets: MountTarget[]; errors: FieldError[] } {
  const all: MountTarget[] = [];
  (spec.initContainers ?? []).forEach((c, index) => all.push({ list: 'initContainers', index, name: c?.name }));
  (spec.containers ?? []).forEach((c, index) => all.push({ list: 'containers', index, name: c?.name }));
  if (names === undefined) return { targets: all, errors: [] };
  const errors: FieldError[] = [];
  const targets: MountTarget[] = [];
  for (const n of names) {
    const t = all.find((x) => x.name === n);
    if (OWNED_CONTAINER_NAMES.includes(n)) errors.push(fieldError('ANNOTATION_INVALID', ANNOTATION_CONTAINERS, `${quote(n)} is a Bulwark container; list only app containers`));
    else if (!t) errors.push(fieldError('ANNOTATION_INVALID', ANNOTATION_CONTAINERS, `the pod has no container ${quote(n)}; name one of: ${all.map((x) => x.name).join(', ') || '(none)'}`));
    else targets.push(t);
  }
  return { targets, errors };
}

/** Finds every clash between the pod and what Bulwark would add. */
export function findClashes(spec: PodSpecView, mountPath: string, targets: MountTarget[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((c, i) => {
      if (OWNED_CONTAINER_NAMES.includes(c?.name)) {
        errors.push(fieldError('NAME_CLASH', `spec.${list}[${i}].name`, `container name ${c.name} is reserved for Bulwark; rename the container`));
      }
    });
  }
  (spec.volumes ?? []).forEach((v, i) => {
    if (v?.name === VOLUME_NAME) errors.push(fieldError('NAME_CLASH', `spec.volumes[${i}].name`, `volume name ${VOLUME_NAME} is reserved for Bulwark; rename the volume`));
  });
  for (const t of targets) {
    const mounts = spec[t.list]?.[t.index]?.volumeMounts ?? [];
    if (mounts.some((m) => m?.mountPath === mountPath || m?.mountPath === `${mountPath}/`)) {
      errors.push(fieldError('NAME_CLASH', ANNOTATION_MOUNT_PATH, `container ${t.name} already mounts a volume at ${mountPath}; choose another ${ANNOTATION_MOUNT_PATH}`));
    }
  }
  return errors;
}
