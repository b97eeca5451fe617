/**
 * Tenant quotas: usage computed from the cluster-state cache (never a list call per request) and the
 * pure check that turns "usage + what this request adds" into a denial naming the tenant, the quota,
 * the limit and the current usage.
 */
import type { ClusterState, ObjectSummary } from '../cluster/types.js';
import type { DocumentSet, TenantQuotas } from '../policy/documents.js';
import { tenantOf } from './tenants.js';

/** Every quota a Tenant can set. */
export const QUOTA_NAMES = ['configMaps', 'secrets', 'configBytes', 'injectedPods', 'fetchesPerMinute'] as const;
/** A quota name. */
export type QuotaName = (typeof QUOTA_NAMES)[number];

/** Secret types the webhook never governs (matching the webhook configuration's matchConditions). */
export const SYSTEM_SECRET_TYPES: readonly string[] = ['kubernetes.io/service-account-token', 'helm.sh/release.v1', 'bootstrap.kubernetes.io/token'];
/** ConfigMap that Kubernetes puts in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

/** What to change to get under each quota. */
const REMEDY: Record<QuotaName, string> = {
  configMaps: 'delete unused ConfigMaps',
  secrets: 'delete unused Secrets',
  configBytes: 'shrink or delete ConfigMaps',
  injectedPods: 'scale down injected workloads',
  fetchesPerMinute: 'set a fetch budget of at least 1',
};

/** A tenant's current usage of the counted quotas. */
export interface TenantUsage {
  configMaps: number;
  secrets: number;
  configBytes: number;
  injectedPods: number;
}

/** Reports whether a ConfigMap or Secret counts against a tenant's quotas (system objects do not). */
export function countsAgainstQuota(o: Pick<ObjectSummary, 'kind' | 'name' | 'type'>): boolean {
  if (o.kind === 'ConfigMap') return o.name !== ROOT_CA_CONFIGMAP;
  return !SYSTEM_SECRET_TYPES.includes(o.type ?? 'Opaque');
}

/** Computes a tenant's usage from the cache: one pass over namespaces and objects. */
export function computeUsage(docs: DocumentSet, state: ClusterState, tenant: string): TenantUsage {
  const namespaces = new Set(state.namespaces().filter((ns) => tenantOf(docs, ns) === tenant).map((ns) => ns.name));
  const usage: TenantUsage = { configMaps: 0, secrets: 0, configBytes: 0, injectedPods: 0 };
  for (const ns of namespaces) usage.injectedPods += state.injectedPods(ns);
  for (const o of state.objects('ConfigMap')) {
    if (!namespaces.has(o.namespace) || !countsAgainstQuota(o)) continue;
    usage.configMaps += 1;
    usage.configBytes += o.sizeBytes;
  }
  for (const o of state.objects('Secret')) if (namespaces.has(o.namespace) && countsAgainstQuota(o)) usage.secrets += 1;
  return usage;
}

/** One quota check: the tenant, the quota, its limit, the usage now and what the request adds. */
export interface QuotaCheck {
  tenant: string;
  quota: QuotaName;
  limit: number | undefined;
  usage: number;
  adds: number;
}

/** Returns the denial message when usage + adds would exceed the limit (a request that adds nothing is never denied). */
export function quotaDenial(c: QuotaCheck): string | undefined {
  if (c.limit === undefined || c.adds <= 0 || c.usage + c.adds <= c.limit) return undefined;
  return (
    `tenant ${c.tenant} is over its quota ${c.quota}: limit ${c.limit}, current usage ${c.usage}, this request adds ${c.adds}; ` +
    `${REMEDY[c.quota]} or raise spec.quotas.${c.quota} in Tenant ${c.tenant}`
  );
}

/** The limits a tenant sets, as a list of [quota, limit] for the quotas it sets. */
export function limitsOf(quotas: TenantQuotas | undefined): Array<[QuotaName, number]> {
  const out: Array<[QuotaName, number]> = [];
  for (const q of QUOTA_NAMES) if (quotas?.[q] !== undefined) out.push([q, quotas[q]!]);
  return out;
}
