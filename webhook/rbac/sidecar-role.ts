/**
 * The least-privilege Role of one workload's sidecar, built from its spec: get (and watch, unless the
 * sidecar only runs as an init container) on exactly the ConfigMaps and Secrets its kubernetes-store
 * sources name, and patch on exactly the Deployment, StatefulSet or DaemonSet that owns its pods when
 * the reload chain has the restart step. Pure: plain objects in, plain objects out.
 *
 * Why these verbs: the sidecar reads a source with one GET by name and watches it with a watch whose
 * fieldSelector is metadata.name=<name>, which the apiserver authorises against resourceNames; it never
 * lists. The restart step sends one merge patch to the owner and reads nothing else of it. A pod owned
 * by a ReplicaSet is restarted through its Deployment, found from the ReplicaSet's name: no get on
 * replicasets is granted, since their names change with every rollout and resourceNames cannot name them.
 */
import { parseKubePath } from '../../sidecar/providers/kubernetes.js';
import { deploymentOfReplicaSet } from '../../sidecar/reload/restart.js';
import type { SidecarSpec } from '../../sidecar/spec/types.js';

/** A workload named by kind and name. */
export interface WorkloadRef {
  kind: string;
  name: string;
}

/** What the Role is built from. */
export interface SidecarRbacInput {
  /** The spec the webhook builds (or built) for the workload's pods. */
  spec: SidecarSpec;
  /** The pods' ServiceAccount (spec.serviceAccountName, "default" when unset). */
  serviceAccount: string;
  /** The workload the pods belong to: named in the Role and, when restartable, the restart target. */
  workload: WorkloadRef;
}

/** The Role and RoleBinding (none when the sidecar calls no Kubernetes API), and notes for the user. */
export interface SidecarRbac {
  objects: Array<Record<string, unknown>>;
  notes: string[];
}

/** The workload kinds the restart step can patch. */
export const RESTARTABLE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

const PLURAL: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

/** The label that marks the generated objects. */
const COMPONENT_LABELS = { 'app.kubernetes.io/component': 'bulwark-sidecar', 'app.kubernetes.io/managed-by': 'bulwark-rbac' };

/** The ConfigMaps and Secrets the spec's kubernetes-store sources name, sorted and without duplicates. */
export function kubernetesObjectsOf(spec: SidecarSpec): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const file of spec.files) {
    for (const src of file.sources) {
      if (spec.stores[src.store]?.provider !== 'kubernetes') continue;
      const { kind, name } = parseKubePath(src.path);
      (kind === 'secrets' ? secrets : configMaps).add(name);
    }
  }
  return { configMaps: [...configMaps].sort(), secrets: [...secrets].sort() };
}

/** The workload a restart patches: a restartable owner itself, or the Deployment above a ReplicaSet. */
export function restartTargetOf(owner: WorkloadRef | undefined): WorkloadRef | undefined {
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const name = deploymentOfReplicaSet(owner.name);
    return name ? { kind: 'Deployment', name } : undefined;
  }
  return RESTARTABLE_KINDS.includes(owner.kind) ? owner : undefined;
}

/** Whether the sidecar keeps running and its reload chain can restart the workload. */
export function usesRestart(spec: SidecarSpec): boolean {
  return !spec.initOnly && spec.reload.some((s) => s.type === 'restart');
}

/** The Role's name for a workload, e.g. bulwark-sidecar-deployment-web. */
export function roleName(workload: WorkloadRef): string {
  return `bulwark-sidecar-${workload.kind.toLowerCase()}-${workload.name}`;
}

/** Builds the Role and RoleBinding for one workload's sidecar. */
export function buildSidecarRbac(input: SidecarRbacInput): SidecarRbac {
  const { spec, serviceAccount, workload } = input;
  const namespace = spec.pod.namespace;
  const who = `${workload.kind} ${namespace}/${workload.name}`;
  const notes: string[] = [];
  const rules: Array<Record<string, unknown>> = [];
  // An init-only sidecar reads once and exits: it never watches.
  const readVerbs = spec.initOnly ? ['get'] : ['get', 'watch'];
  const { configMaps, secrets } = kubernetesObjectsOf(spec);
  if (configMaps.length) rules.push({ apiGroups: [''], resources: ['configmaps'], resourceNames: configMaps, verbs: readVerbs });
  if (secrets.length) rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: readVerbs });
  if (usesRestart(spec)) {
    const target = RESTARTABLE_KINDS.includes(workload.kind) ? workload : restartTargetOf(spec.pod.owner);
    if (target) rules.push({ apiGroups: ['apps'], resources: [PLURAL[target.kind]], resourceNames: [target.name], verbs: ['patch'] });
    else notes.push(`${who}: reload restart needs pods owned by a Deployment, StatefulSet or DaemonSet; none owns these, so no workload may be patched and the restart step will fail`);
  }
  if (!rules.length) {
    notes.push(`${who}: the sidecar calls no Kubernetes API (no kubernetes-store source, no restart): it needs no Role`);
    return { objects: [], notes };
  }
  if (serviceAccount === 'default') {
    notes.push(`${who} runs as ServiceAccount default, which every pod of namespace ${namespace} that names no ServiceAccount shares, and so shares these rights; give the workload its own ServiceAccount`);
  }
  const metadata = { name: roleName(workload), namespace, labels: { ...COMPONENT_LABELS } };
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules };
  const roleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { ...metadata, labels: { ...COMPONENT_LABELS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: metadata.name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  };
  return { objects: [role, roleBinding], notes };
}
