/**
 * Per-tenant usage and limit gauges (bulwark_tenant_usage, bulwark_tenant_quota_limit) for
 * dashboards and alerts, refreshed from the cluster-state cache on a timer and after tenancy
 * decisions. Only tenants with a Tenant document get series, so cardinality stays bounded.
 */
import type { ClusterState } from '../cluster/types.js';
import type { WebhookMetrics } from '../metrics.js';
import type { DocumentSet } from '../policy/documents.js';
import { computeUsage, limitsOf, type TenantUsage } from './quotas.js';

/** Default refresh interval of the gauges. */
export const DEFAULT_GAUGE_INTERVAL_MS = 30_000;

/** Sets every tenant's usage and limit gauges from the cache; series of tenants that no longer exist are dropped. */
export function refreshTenantGauges(metrics: Pick<WebhookMetrics, 'tenantUsage' | 'tenantLimit'>, docs: DocumentSet, state: ClusterState): void {
  metrics.tenantUsage.reset();
  metrics.tenantLimit.reset();
  for (const [tenant, doc] of docs.tenants) {
    const usage: TenantUsage = computeUsage(docs, state, tenant);
    for (const [quota, value] of Object.entries(usage)) metrics.tenantUsage.set({ tenant, quota }, value);
    for (const [quota, limit] of limitsOf(doc.spec.quotas)) metrics.tenantLimit.set({ tenant, quota }, limit);
  }
}

/** A running gauge refresher. */
export interface GaugeRefresher {
  /** Refreshes now. */
  refresh(): void;
  /** Stops the timer. */
  stop(): void;
}

/** Refreshes the tenant gauges now and every intervalMs (the timer does not keep the process alive). */
export function startTenantGauges(deps: { metrics: WebhookMetrics; docs: () => DocumentSet; state: ClusterState; intervalMs?: number }): GaugeRefresher {
  const refresh = () => refreshTenantGauges(deps.metrics, deps.docs(), deps.state);
  refresh();
  const timer = setInterval(refresh, deps.intervalMs ?? DEFAULT_GAUGE_INTERVAL_MS);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
