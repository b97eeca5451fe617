/**
 * Decides how the long-running sidecar is injected: as a native sidecar (an init container with
 * restartPolicy Always, Kubernetes >= 1.29) or as a regular container; and whether the pod gets the
 * init container only (always for Job pods with a classic sidecar, which would keep the Job running).
 */
import type { KubeObject } from '../admission/types.js';
import type { ServerVersion } from '../cluster/types.js';
import type { ServerOptions } from '../config/options.js';
import { ANNOTATION_INIT_ONLY } from './annotations.js';

/** The first Kubernetes minor version (1.x) with native sidecars enabled by default. */
export const NATIVE_SIDECAR_MIN_MINOR = 29;

/**
 * Whether to inject a native sidecar: the setting "true"/"false" wins; "auto" asks the server version
 * and, when the version is unknown, assumes native (only Kubernetes >= 1.29 is supported upstream).
 */
export function useNativeSidecar(setting: ServerOptions['nativeSidecar'], version: ServerVersion | undefined): boolean {
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  if (!version) return true;
  return version.major > 1 || (version.major === 1 && version.minor >= NATIVE_SIDECAR_MIN_MINOR);
}

/** The Job (or CronJob's Job) that owns the pod, if any. */
export function jobOwner(pod: KubeObject): { kind: string; name: string } | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.kind === 'Job');
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

/**
 * Whether only the init container is injected. An explicit annotation wins, except that a Job pod
 * without native sidecars is always init-only (a classic sidecar would keep the Job from completing).
 */
export function decideInitOnly(
  annotation: boolean | undefined,
  jobOwned: boolean,
  native: boolean,
): { initOnly: boolean; warning?: string } {
  if (!jobOwned) return { initOnly: annotation ?? false };
  if (annotation === false && !native) {
    return { initOnly: true, warning: `${ANNOTATION_INIT_ONLY}: "false" is overridden for this Job pod: without native sidecars a sidecar would keep the Job from completing` };
  }
  return { initOnly: annotation ?? true };
}
