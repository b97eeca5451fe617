/**
 * Namespace admission: who may put a namespace into a tenant, move it out, or change its environment.
 * Joining tenant T needs T's Tenant document to list the namespace by name, or a requester who acts
 * for T (T's labelAdmins, or the cluster label admins). Leaving a tenant, or changing the environment
 * label, needs a requester who acts for the tenant (cluster label admins when there is none).
 * Tenancy is resolved the same way everywhere (label first, then Tenant documents), so selector
 * changes that move a namespace are caught too. Pure.
 */
import type { UserInfo } from '../admission/types.js';
import type { NamespaceInfo } from '../cluster/types.js';
import { LABEL_ENVIRONMENT, LABEL_TENANT } from '../labels.js';
import type { DocumentSet } from '../policy/documents.js';
import { namespaceContext } from './resolve.js';
import { actsFor, describeAdmins, type LabelAdmins } from './tenants.js';
import { violation, type TenancyViolation } from './violation.js';

/** A Namespace admission, reduced to what the rules read. */
export interface NamespaceChange {
  operation: 'CREATE' | 'UPDATE';
  old?: NamespaceInfo | undefined;
  next: NamespaceInfo;
  user: UserInfo | undefined;
}

function userName(user: UserInfo | undefined): string {
  return user?.username ? `user ${user.username}` : 'the requester';
}

/** Checks a Namespace CREATE or UPDATE; returns every violation. */
export function checkNamespace(docs: DocumentSet, change: NamespaceChange, clusterAdmins: LabelAdmins): TenancyViolation[] {
  const out: TenancyViolation[] = [];
  const { next, user } = change;
  const before = change.old ? namespaceContext(docs, change.old) : {};
  const after = namespaceContext(docs, next);
  const who = userName(user);
  const tenantChanged = change.operation === 'CREATE' ? after.tenant !== undefined : before.tenant !== after.tenant;
  const envLabelChanged = change.operation === 'UPDATE' && change.old?.labels[LABEL_ENVIRONMENT] !== next.labels[LABEL_ENVIRONMENT];

  if (tenantChanged && before.tenant) {
    const doc = docs.tenants.get(before.tenant);
    if (!actsFor(doc, user, clusterAdmins)) {
      out.push(violation('TENANT_RELABEL_FORBIDDEN', before.tenant, `namespace ${next.name} belongs to tenant ${before.tenant} and ${who} may not move it ${after.tenant ? `to tenant ${after.tenant}` : 'out of it'} (changing ${LABEL_TENANT} or the labels its Tenant selects on); ask one of: ${describeAdmins(doc, clusterAdmins)}`));
    }
  }
  if (tenantChanged && after.tenant) {
    const doc = docs.tenants.get(after.tenant);
    const listed = doc?.spec.namespaces?.includes(next.name) ?? false;
    if (!listed && !actsFor(doc, user, clusterAdmins)) {
      out.push(violation('TENANT_RELABEL_FORBIDDEN', after.tenant, `namespace ${next.name} claims tenant ${after.tenant}, which ${doc ? 'does not list it in spec.namespaces' : 'has no Tenant document'}, and ${who} may not add namespaces to it; add ${next.name} to spec.namespaces of Tenant ${after.tenant} or ask one of: ${describeAdmins(doc, clusterAdmins)}`));
    }
  }
  if (envLabelChanged && !tenantChanged) {
    const doc = after.tenant ? docs.tenants.get(after.tenant) : undefined;
    if (!actsFor(doc, user, clusterAdmins)) {
      const from = change.old?.labels[LABEL_ENVIRONMENT] ?? '(none)';
      const to = next.labels[LABEL_ENVIRONMENT] ?? '(none)';
      out.push(violation('TENANT_RELABEL_FORBIDDEN', after.tenant, `${who} may not change ${LABEL_ENVIRONMENT} of namespace ${next.name} (${after.tenant ? `tenant ${after.tenant}` : 'no tenant'}) from ${from} to ${to}: the environment decides which policies apply; ask one of: ${describeAdmins(doc, clusterAdmins)}`));
    }
  }
  const allowedEnvs = after.tenant ? docs.tenants.get(after.tenant)?.spec.environments : undefined;
  if (allowedEnvs && after.environment && !allowedEnvs.includes(after.environment) && (change.operation === 'CREATE' || envLabelChanged || tenantChanged)) {
    out.push(violation('TENANT_ENVIRONMENT_FORBIDDEN', after.tenant, `namespace ${next.name} sets ${LABEL_ENVIRONMENT}=${after.environment}, but tenant ${after.tenant} only has environments ${allowedEnvs.join(', ')}; use one of them or add it to spec.environments of Tenant ${after.tenant}`));
  }
  return out;
}
