/**
 * What injection needs besides the pod, gathered before the pure pipeline runs: the namespace and its
 * metadata, the documents in force, the webhook's options and the server version; plus a typed view of
 * the pod fields the injector reads.
 */
import type { KubeObject } from '../admission/types.js';
import type { ClusterState, NamespaceInfo, ServerVersion } from '../cluster/types.js';
import type { ServerOptions } from '../config/options.js';
import type { DocumentSet } from '../policy/documents.js';
import { tenantNamespaces } from '../tenancy/tenants.js';

/** The inputs of injectPod besides the pod; plain data, no I/O behind it. */
export interface InjectContext {
  /** The pod's namespace (from the admission request; the object's may be empty at CREATE). */
  namespace: string;
  /** The namespace's labels and annotations, when known. */
  namespaceInfo?: NamespaceInfo | undefined;
  options: ServerOptions;
  docs: DocumentSet;
  /** The API server's version, when known (decides native sidecars in auto mode). */
  serverVersion?: ServerVersion | undefined;
  /** CREATE injects; UPDATE never patches. Default CREATE. */
  operation?: 'CREATE' | 'UPDATE';
  /** Cached ConfigMap/Secret summaries; used only for warnings about missing objects. */
  objects?: Pick<ClusterState, 'authoritative' | 'object'> | undefined;
  /** Injected pods a tenant has now (from the cache), for the injectedPods quota; no quota check without it. */
  tenantInjectedPods?: ((tenant: string) => number) | undefined;
}

/** Builds an InjectContext from in-memory cluster state (a read of caches, never an API call). */
export function contextFromState(
  state: ClusterState,
  namespace: string,
  options: ServerOptions,
  docs: DocumentSet,
  operation: 'CREATE' | 'UPDATE' = 'CREATE',
): InjectContext {
  const tenantInjectedPods = (tenant: string) => tenantNamespaces(docs, state, tenant).reduce((n, ns) => n + state.injectedPods(ns), 0);
  return { namespace, namespaceInfo: state.namespace(namespace), options, docs, serverVersion: state.serverVersion(), operation, objects: state, tenantInjectedPods };
}

/** A container as the injector reads it. */
export interface ContainerView {
  name: string;
  volumeMounts?: Array<{ name: string; mountPath: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** The pod spec fields the injector reads. */
export interface PodSpecView {
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  volumes?: Array<{ name: string; [k: string]: unknown }>;
  shareProcessNamespace?: boolean;
  [k: string]: unknown;
}

/** Returns the pod's spec as a typed view (an empty one when absent). */
export function podSpec(pod: KubeObject): PodSpecView {
  const spec = pod.spec;
  return typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as PodSpecView) : {};
}

/** Returns the pod's annotations (empty when absent). */
export function podAnnotations(pod: KubeObject): Record<string, string> {
  return pod.metadata?.annotations ?? {};
}
