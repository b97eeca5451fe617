/**
 * The restart strategy: a graceful rolling restart of the pod's owning workload, done the way
 * `kubectl rollout restart` does it (a pod template annotation), with the content set id as the
 * value so that every replica patches the same value for the same change.
 * The Kubernetes client is loaded only when this strategy runs.
 */
import { SidecarError } from '../errors.js';

/** The annotation kubectl sets on rollout restart. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * Builds the merge patch that restarts a workload's pods. Pure. `value` is the content set id
 * (the same in every replica, so N sidecars seeing one change patch one value and the workload
 * rolls once; re-patching an equal value is a no-op), or a time for kubectl-style restarts.
 */
export function buildRestartPatch(value: Date | string): Record<string, unknown> {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: typeof value === 'string' ? value : value.toISOString() } } } } };
}

/**
 * The Deployment a ReplicaSet belongs to, read from the name the Deployment controller gives it
 * (`<deployment>-<pod-template-hash>`; the hash has no dash). Pure; undefined for a name without one.
 */
export function deploymentOfReplicaSet(name: string): string | undefined {
  const i = name.lastIndexOf('-');
  return i > 0 ? name.slice(0, i) : undefined;
}

/**
 * Finds the Deployment above a ReplicaSet: its ownerReference when the identity may read ReplicaSets,
 * else (403) the name the Deployment controller gave it. The per-workload Role of `bulwark rbac` grants
 * no ReplicaSet reads (their names change with every rollout, so resourceNames cannot list them) and
 * patch on the owning Deployment's name only, so a wrong guess is refused by the apiserver.
 */
async function owningDeployment(read: () => Promise<{ metadata?: { ownerReferences?: Array<{ kind: string; name: string }> } }>, rs: string): Promise<string | undefined> {
  try {
    return (await read()).metadata?.ownerReferences?.find((r) => r.kind === 'Deployment')?.name;
  } catch (err) {
    if ((err as { code?: number }).code === 403) return deploymentOfReplicaSet(rs);
    throw err;
  }
}

/** Patches the owner (Deployment, StatefulSet, DaemonSet, or the Deployment above a ReplicaSet); returns "Kind/name". */
export async function restartOwner(namespace: string, owner: { kind: string; name: string } | undefined, value: Date | string = new Date()): Promise<string> {
  if (!owner) throw new SidecarError('RELOAD_FAILED', 'restart reload needs the pod owner in the spec (pod.owner)');
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const opts = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  let { kind, name } = owner;
  try {
    if (kind === 'ReplicaSet') {
      const rs = name;
      const dep = await owningDeployment(() => apps.readNamespacedReplicaSet({ name: rs, namespace }), rs);
      if (!dep) throw new SidecarError('RELOAD_FAILED', `ReplicaSet ${namespace}/${name} has no owning Deployment to restart`);
      kind = 'Deployment';
      name = dep;
    }
    const body = buildRestartPatch(value);
    if (kind === 'Deployment') await apps.patchNamespacedDeployment({ name, namespace, body }, opts);
    else if (kind === 'StatefulSet') await apps.patchNamespacedStatefulSet({ name, namespace, body }, opts);
    else if (kind === 'DaemonSet') await apps.patchNamespacedDaemonSet({ name, namespace, body }, opts);
    else throw new SidecarError('RELOAD_FAILED', `cannot restart a ${kind}; only Deployment, StatefulSet and DaemonSet pods can use reload: restart`);
  } catch (err) {
    if (err instanceof SidecarError) throw err;
    throw new SidecarError('RELOAD_FAILED', `patching ${kind} ${namespace}/${name} failed: ${(err as Error).message}`, { kind, name }, { cause: err });
  }
  return `${kind}/${name}`;
}
