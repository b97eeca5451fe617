/**
 * Tenant membership and identities, read from the documents and the cluster-state cache: which
 * namespaces form a tenant, who may act for a tenant, and the bounded tenant label for metrics.
 */
import type { UserInfo } from '../admission/types.js';
import type { ClusterState, NamespaceInfo } from '../cluster/types.js';
import type { DocumentSet, Tenant } from '../policy/documents.js';
import { namespaceContext } from './resolve.js';

/** Metric label for objects outside any tenant. */
export const NO_TENANT_LABEL = 'none';
/** Metric label for a tenant that has no Tenant document (keeps label cardinality bounded by the documents). */
export const OTHER_TENANT_LABEL = 'other';

/** Identities allowed to act for every tenant: set at the cluster level (default: the system:masters group). */
export interface LabelAdmins {
  users?: string[] | undefined;
  groups?: string[] | undefined;
}

/** The default cluster-wide label admins: cluster administrators. */
export const DEFAULT_CLUSTER_LABEL_ADMINS: Readonly<LabelAdmins> = Object.freeze({ groups: ['system:masters'] });

/** The tenant label value for a metric: the tenant when a Tenant document defines it, "other" otherwise, "none" without a tenant. */
export function tenantMetricLabel(docs: DocumentSet, tenant: string | undefined): string {
  if (!tenant) return NO_TENANT_LABEL;
  return docs.tenants.has(tenant) ? tenant : OTHER_TENANT_LABEL;
}

/** Metric label for a namespace Bulwark's cache does not know (yet): never a name a request chose. */
export const UNKNOWN_NAMESPACE_LABEL = '';

/**
 * The namespace label value for a metric: the namespace when it exists in the cluster-state cache,
 * "" otherwise, so that denied Namespace CREATEs (even dry runs) cannot mint label values.
 */
export function namespaceMetricLabel(state: Pick<ClusterState, 'namespace'>, namespace: string | undefined): string {
  return namespace && state.namespace(namespace) ? namespace : UNKNOWN_NAMESPACE_LABEL;
}

/** The tenant of a namespace (from its label or a Tenant document), if any. */
export function tenantOf(docs: DocumentSet, ns: NamespaceInfo | undefined): string | undefined {
  return namespaceContext(docs, ns).tenant;
}

/** The namespaces in the cache that belong to a tenant. */
export function tenantNamespaces(docs: DocumentSet, state: Pick<ClusterState, 'namespaces'>, tenant: string): string[] {
  return state
    .namespaces()
    .filter((ns) => tenantOf(docs, ns) === tenant)
    .map((ns) => ns.name)
    .sort();
}

/** Reports whether a user matches a list of users and groups. */
export function matchesIdentity(admins: LabelAdmins | undefined, user: UserInfo | undefined): boolean {
  if (!admins || !user) return false;
  if (user.username && (admins.users ?? []).includes(user.username)) return true;
  return (user.groups ?? []).some((g) => (admins.groups ?? []).includes(g));
}

/** Reports whether a user may act for a tenant: a cluster label admin, or one of the tenant's labelAdmins. */
export function actsFor(tenantDoc: Tenant | undefined, user: UserInfo | undefined, clusterAdmins: LabelAdmins): boolean {
  return matchesIdentity(clusterAdmins, user) || matchesIdentity(tenantDoc?.spec.labelAdmins, user);
}

/** Describes who may act for a tenant, for denial messages. */
export function describeAdmins(tenantDoc: Tenant | undefined, clusterAdmins: LabelAdmins): string {
  const parts: string[] = [];
  const add = (a: LabelAdmins | undefined) => {
    for (const u of a?.users ?? []) parts.push(`user ${u}`);
    for (const g of a?.groups ?? []) parts.push(`group ${g}`);
  };
  add(tenantDoc?.spec.labelAdmins);
  add(clusterAdmins);
  return [...new Set(parts)].join(', ') || '(nobody)';
}
