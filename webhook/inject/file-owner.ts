/**
 * Which user Bulwark's containers run as, and so who owns the files they write (pure).
 *
 * Files are written with the modes the annotations ask for (default 0400), never world-readable.
 * For the app to read a 0400 file it must own it, so:
 * - the pod sets securityContext.fsGroup: Bulwark runs as 65532 and the files' group is the
 *   fsGroup (kubelet makes the volume setgid), readable with mode 0440 — the documented way for
 *   several users;
 * - otherwise, when every container that mounts the files runs as one and the same non-root user
 *   (runAsUser of the container or of the pod), Bulwark's containers run as that user, and the
 *   files are the app's own (the common case: an app as uid 1000 without fsGroup; vault-k8s asks
 *   for `agent-run-as-same-user` to get this, Bulwark does it by itself);
 * - otherwise (users differ, root, or no runAsUser at admission time, where the image's user is
 *   unknown) Bulwark runs as 65532; a warning says what to set when the users are known to differ.
 */
import { SIDECAR_UID } from './containers.js';
import type { MountTarget } from './targets.js';

/** The users of the injected containers, and a warning when the app cannot read 0400 files. */
export interface FileOwner {
  runAsUser: number;
  runAsGroup: number;
  /** Why Bulwark chose this user (shown in docs and tests). */
  reason: 'fs-group' | 'app-user' | 'default';
  warning?: string;
}

interface SecurityContextView {
  runAsUser?: unknown;
  runAsGroup?: unknown;
  fsGroup?: unknown;
}
interface ContainerView {
  name?: string;
  securityContext?: SecurityContextView;
}
/** The parts of a pod spec this decision reads. */
export interface OwnerPodView {
  securityContext?: SecurityContextView;
  initContainers?: ContainerView[];
  containers?: ContainerView[];
}

const uid = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** Decides the injected containers' user from the pod and the containers that get the mount. */
export function decideFileOwner(spec: OwnerPodView, targets: MountTarget[]): FileOwner {
  const dflt: FileOwner = { runAsUser: SIDECAR_UID, runAsGroup: SIDECAR_UID, reason: 'default' };
  const pod = spec.securityContext ?? {};
  if (uid(pod.fsGroup) !== undefined) return { ...dflt, reason: 'fs-group' };
  const users = targets.map((t) => {
    const c = spec[t.list]?.[t.index] ?? {};
    return { name: c.name ?? `${t.list}[${t.index}]`, user: uid(c.securityContext?.runAsUser) ?? uid(pod.runAsUser), group: uid(c.securityContext?.runAsGroup) ?? uid(pod.runAsGroup) };
  });
  if (users.length === 0 || users.some((u) => u.user === undefined)) return dflt;
  const distinct = [...new Set(users.map((u) => u.user))];
  if (distinct.length === 1 && distinct[0] !== 0) {
    const groups = [...new Set(users.map((u) => u.group))];
    const user = distinct[0]!;
    return { runAsUser: user, runAsGroup: groups.length === 1 && groups[0] !== undefined && groups[0] !== 0 ? groups[0] : user, reason: 'app-user' };
  }
  if (distinct.length > 1) {
    const who = users.map((u) => `${u.name} (uid ${u.user})`).join(', ');
    return { ...dflt, warning: `the containers that mount Bulwark's files run as different users: ${who}; files are 0400 by default, so set securityContext.fsGroup and bulwark.dev/mode.<file> "0440" for all of them to read the files` };
  }
  return dflt;
}
