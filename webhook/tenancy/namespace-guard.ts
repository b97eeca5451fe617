/**
 * The unknown-namespace guard of the admission handlers. Environment and tenant rules read a
 * namespace's labels from the cache; an object created right after its namespace can arrive before
 * the watch event of that namespace. Rather than judge it as a namespace without labels (and skip
 * every environment and tenant rule), a handler waits a moment for the cache and then denies with a
 * message saying to retry. Only a live, synced cache is trusted to be complete: standalone and CLI
 * state (a namespaces file) keeps judging unknown namespaces as unlabelled.
 */
import { denied } from '../admission/response.js';
import type { AdmissionRequest, Decision } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import { BULWARK_GROUP } from '../policy/documents.js';

/** How long a handler waits for a namespace to reach the cache before denying (ms). */
export const DEFAULT_NAMESPACE_WAIT_MS = 1500;
/** How often the cache is looked at while waiting (ms). */
export const NAMESPACE_POLL_MS = 25;

/** Namespaces whose objects no Bulwark handler judges by namespace labels. */
const EXEMPT = ['kube-system', 'kube-public'];

/** How a handler treats namespaces missing from the cache. */
export interface NamespaceGuardOptions {
  /** Deny requests in namespaces the cache does not know; default: when the cache is live and synced (namespacesComplete). */
  requireKnownNamespaces?: boolean | undefined;
  /** How long to wait for the namespace first; default DEFAULT_NAMESPACE_WAIT_MS. */
  namespaceWaitMs?: number | undefined;
}

/**
 * Whether the state's namespace list is complete: authoritative, synced, and fed by live caches (a
 * state that can be started, i.e. the informer-backed one). File-backed state is never complete.
 */
export function namespacesComplete(state: ClusterState): boolean {
  return state.authoritative && state.synced() && typeof (state as { start?: unknown }).start === 'function';
}

/**
 * The namespace a request must find in the cache, or undefined when none is needed: CREATE and UPDATE
 * of namespaced core and app objects outside Bulwark's own namespace and kube-system/kube-public;
 * never a Namespace itself nor a Bulwark document.
 */
export function namespaceToRequire(req: AdmissionRequest, ownNamespace: string): string | undefined {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return undefined;
  if (req.kind.kind === 'Namespace' || req.kind.group === BULWARK_GROUP) return undefined;
  const namespace = req.namespace || req.object?.metadata?.namespace || '';
  if (!namespace || namespace === ownNamespace || EXEMPT.includes(namespace)) return undefined;
  return namespace;
}

/** The denial for a namespace the cache still lacks after waiting: retryable (503), saying what to do. */
export function unknownNamespaceDenial(namespace: string): Decision {
  return denied(`namespace ${namespace} is not in Bulwark's cache yet, so its environment and tenant rules cannot be applied; retry in a moment`, {
    code: 503,
    reason: 'ServiceUnavailable',
  });
}

/**
 * Applies the guard: undefined at once when the request may proceed now (no namespace needed, the
 * guard is off, or the namespace is known); otherwise a promise that settles on undefined when the
 * namespace reaches the cache within the wait, or on the denial. Handlers stay synchronous in the
 * common case.
 */
export function guardNamespace(req: AdmissionRequest, state: ClusterState, ownNamespace: string, opts: NamespaceGuardOptions = {}): Promise<Decision | undefined> | undefined {
  const namespace = namespaceToRequire(req, ownNamespace);
  if (namespace === undefined || state.namespace(namespace)) return undefined;
  if (!(opts.requireKnownNamespaces ?? namespacesComplete(state))) return undefined;
  return waitForNamespace(state, namespace, opts.namespaceWaitMs ?? DEFAULT_NAMESPACE_WAIT_MS);
}

async function waitForNamespace(state: ClusterState, namespace: string, waitMs: number): Promise<Decision | undefined> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, NAMESPACE_POLL_MS));
    if (state.namespace(namespace)) return undefined;
  }
  return unknownNamespaceDenial(namespace);
}

/** Runs a handler's decision after the guard: synchronously when nothing has to wait. */
export function afterGuard(guard: Promise<Decision | undefined> | undefined, decide: () => Decision): Decision | Promise<Decision> {
  return guard ? guard.then((d) => d ?? decide()) : decide();
}
