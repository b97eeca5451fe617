/**
 * The tenant quotas injection enforces: the number of injected pods (usage from the cluster-state
 * cache; the pod being admitted adds one) and a usable fetch budget (a budget of 0 would leave the
 * sidecar unable to fetch anything, so such pods are refused rather than started broken).
 */
import type { TenantQuotas } from '../policy/documents.js';
import { quotaDenial } from '../tenancy/quotas.js';
import { fieldError, type FieldError } from './field-error.js';

/** Returns the quota problems of injecting one more pod for a tenant. */
export function tenantQuotaErrors(tenant: string, quotas: TenantQuotas | undefined, injectedPods: ((tenant: string) => number) | undefined): FieldError[] {
  const out: FieldError[] = [];
  if (quotas?.injectedPods !== undefined && injectedPods) {
    const msg = quotaDenial({ tenant, quota: 'injectedPods', limit: quotas.injectedPods, usage: injectedPods(tenant), adds: 1 });
    if (msg) out.push(fieldError('TENANT_QUOTA_EXCEEDED', 'metadata.annotations', msg));
  }
  if (quotas?.fetchesPerMinute === 0) {
    const msg = quotaDenial({ tenant, quota: 'fetchesPerMinute', limit: 0, usage: 0, adds: 1 });
    out.push(fieldError('TENANT_QUOTA_EXCEEDED', 'metadata.annotations', `${msg} (a fetch budget of 0 lets the sidecar fetch nothing)`));
  }
  return out;
}
