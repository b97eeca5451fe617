/**
 * Decides whether a pod is a candidate for injection: its bulwark.dev/inject annotation, else its
 * namespace's bulwark.dev/inject=enabled label; system namespaces and Bulwark's own never are.
 */
import type { NamespaceInfo } from '../cluster/types.js';
import { LABEL_INJECT } from '../labels.js';
import { ANNOTATION_INJECT, parseBoolean } from './annotations.js';
import type { FieldError } from './field-error.js';

/** The namespace label value that opts every pod of a namespace in. */
export const NAMESPACE_INJECT_ENABLED = 'enabled';
/** Namespaces that are never injected, whatever their pods say. */
export const EXCLUDED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public'];

/** Why a pod is not injected. */
export type SkipReason = 'excluded-namespace' | 'opted-out' | 'not-opted-in' | 'already-injected' | 'update';

/** The opt-in decision. */
export type OptIn = { inject: true; via: 'annotation' | 'namespace' } | { inject: false; reason: SkipReason } | { error: FieldError };

/** Decides opt-in from the pod's annotations and its namespace. */
export function decideOptIn(
  annotations: Record<string, string>,
  namespace: string,
  namespaceInfo: NamespaceInfo | undefined,
  ownNamespace: string,
): OptIn {
  if (EXCLUDED_NAMESPACES.includes(namespace) || namespace === ownNamespace) return { inject: false, reason: 'excluded-namespace' };
  const raw = annotations[ANNOTATION_INJECT];
  if (raw !== undefined) {
    const p = parseBoolean(ANNOTATION_INJECT, raw);
    if (p.error) return { error: p.error };
    return p.value ? { inject: true, via: 'annotation' } : { inject: false, reason: 'opted-out' };
  }
  if (namespaceInfo?.labels[LABEL_INJECT] === NAMESPACE_INJECT_ENABLED) return { inject: true, via: 'namespace' };
  return { inject: false, reason: 'not-opted-in' };
}
