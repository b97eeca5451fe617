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
import { ANNOTATION_PREFIX } from './annotations.js';
import { fieldError, type FieldError } from './field-error.js';

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

/** Returns the pod's string-valued annotations (empty when absent); others are reported by annotationTypeErrors. */
export function podAnnotations(pod: KubeObject): Record<string, string> {
  const raw: unknown = pod.metadata?.annotations;
  const out = Object.create(null) as Record<string, string>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Bulwark annotations whose value is not a string (an unquoted `true` or `60` in a manifest read by
 * `bulwark review`; the API server itself refuses them): one error per annotation, naming it.
 */
export function annotationTypeErrors(pod: KubeObject): FieldError[] {
  const raw: unknown = pod.metadata?.annotations;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  return Object.entries(raw as Record<string, unknown>)
    .filter(([k, v]) => k.startsWith(ANNOTATION_PREFIX) && typeof v !== 'string')
    .map(([k, v]) => fieldError('ANNOTATION_INVALID', k, `must be a string, not ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}; quote the value (e.g. "${typeof v === 'number' || typeof v === 'boolean' ? String(v) : '...'}")`));
}
