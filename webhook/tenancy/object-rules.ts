/**
 * ConfigMap and Secret admission for tenancy: an object labelled for another tenant is refused in
 * this tenant's namespace (unless the owning tenant grants it to this tenant and the requester acts
 * for the owner: a platform's shared ConfigMap); and a CREATE or UPDATE that would take the tenant
 * over its configMaps, secrets or configBytes quota is refused. Pure: usage comes in from the cache.
 */
import type { UserInfo } from '../admission/types.js';
import type { ObjectSummary } from '../cluster/types.js';
import { LABEL_TENANT } from '../labels.js';
import type { DocumentSet } from '../policy/documents.js';
import { kubeObjectGrant } from './grants.js';
import { countsAgainstQuota, quotaDenial, type TenantUsage } from './quotas.js';
import { actsFor, describeAdmins, type LabelAdmins } from './tenants.js';
import { violation, type TenancyViolation } from './violation.js';

/** A ConfigMap or Secret admission, reduced to what the rules read. */
export interface ObjectChange {
  operation: 'CREATE' | 'UPDATE';
  next: ObjectSummary;
  old?: ObjectSummary | undefined;
  /** The tenant of the object's namespace. */
  tenant: string | undefined;
  user: UserInfo | undefined;
}

/** Refuses an object labelled for a tenant other than its namespace's, unless shared under a grant by the owner. */
export function checkObjectLabel(docs: DocumentSet, c: ObjectChange, clusterAdmins: LabelAdmins): TenancyViolation[] {
  const claimed = c.next.labels[LABEL_TENANT];
  if (!claimed || claimed === c.tenant) return [];
  const { kind, namespace, name } = c.next;
  const ownerDoc = docs.tenants.get(claimed);
  const grant = kubeObjectGrant(docs, claimed, c.tenant, kind, name);
  if (grant && actsFor(ownerDoc, c.user, clusterAdmins)) return [];
  const here = c.tenant ? `namespace ${namespace} belongs to tenant ${c.tenant}` : `namespace ${namespace} belongs to no tenant`;
  const fix = grant
    ? `tenant ${claimed} shares it with ${c.tenant}, but only its label admins may place it (${describeAdmins(ownerDoc, clusterAdmins)})`
    : `remove the label${c.tenant ? ` or set it to ${c.tenant}` : ''}${c.tenant ? `; to share, tenant ${claimed} must grant ${kind === 'Secret' ? `secret/${name} in store kubernetes` : `configMaps: [${name}]`} to ${c.tenant}` : ''}`;
  return [violation('TENANT_LABEL_FOREIGN', c.tenant, `${kind} ${namespace}/${name} is labelled ${LABEL_TENANT}=${claimed} but ${here}; ${fix}`)];
}

/** Refuses a CREATE or UPDATE that takes the tenant over its object-count or config-bytes quota. */
export function checkObjectQuotas(docs: DocumentSet, c: ObjectChange, usage: TenantUsage): TenancyViolation[] {
  if (!c.tenant) return [];
  const quotas = docs.tenants.get(c.tenant)?.spec.quotas;
  if (!quotas || !countsAgainstQuota(c.next)) return [];
  const counted = c.operation === 'UPDATE' && c.old !== undefined && countsAgainstQuota(c.old);
  const out: TenancyViolation[] = [];
  const push = (m: string | undefined) => m && out.push(violation('TENANT_QUOTA_EXCEEDED', c.tenant, m));
  if (c.next.kind === 'ConfigMap') {
    push(quotaDenial({ tenant: c.tenant, quota: 'configMaps', limit: quotas.configMaps, usage: usage.configMaps, adds: counted ? 0 : 1 }));
    const bytes = c.next.sizeBytes - (counted ? c.old!.sizeBytes : 0);
    push(quotaDenial({ tenant: c.tenant, quota: 'configBytes', limit: quotas.configBytes, usage: usage.configBytes, adds: bytes }));
  } else {
    push(quotaDenial({ tenant: c.tenant, quota: 'secrets', limit: quotas.secrets, usage: usage.secrets, adds: counted ? 0 : 1 }));
  }
  return out;
}
