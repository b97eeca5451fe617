/**
 * Every metric the webhook exports, registered in one explicit prom-client Registry.
 * Label values come from small fixed sets (plus namespace and tenant, which are bounded by the cluster).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The webhook's metrics and the registry that holds them. */
export interface WebhookMetrics {
  registry: Registry;
  admissionRequests: Counter<'webhook' | 'kind' | 'operation' | 'decision'>;
  admissionDuration: Histogram<'webhook'>;
  policyViolations: Counter<'policy' | 'rule' | 'namespace' | 'tenant' | 'mode'>;
  injections: Counter<'namespace' | 'result'>;
  certificateExpiry: Gauge;
  policyReloads: Counter;
  policyReloadFailures: Counter;
  policyDocuments: Gauge<'kind'>;
  tenantUsage: Gauge<'tenant' | 'quota'>;
  tenantLimit: Gauge<'tenant' | 'quota'>;
  policyDriftObjects: Gauge<'policy' | 'rule' | 'namespace' | 'tenant'>;
  driftScans: Counter<'result'>;
  controllerLeader: Gauge;
  connectionsRejected: Counter<'reason'>;
}

/** Admission latency buckets in seconds: fine below 5 ms, coarse up to the 10 s webhook timeout. */
export const ADMISSION_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Creates a fresh registry with all webhook metrics; process metrics are included unless disabled. */
export function createMetrics(opts: { processMetrics?: boolean } = {}): WebhookMetrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'bulwark_webhook_' });
  const registers = [registry];
  return {
    registry,
    admissionRequests: new Counter({
      name: 'bulwark_admission_requests_total',
      help: 'Admission requests answered, by webhook, object kind, operation and decision.',
      labelNames: ['webhook', 'kind', 'operation', 'decision'],
      registers,
    }),
    admissionDuration: new Histogram({
      name: 'bulwark_admission_duration_seconds',
      help: 'Time to answer an admission request, from body received to response written.',
      labelNames: ['webhook'],
      buckets: ADMISSION_BUCKETS,
      registers,
    }),
    policyViolations: new Counter({
      name: 'bulwark_policy_violations_total',
      help: 'Policy findings, by policy, rule, namespace, tenant and mode (enforce or audit).',
      labelNames: ['policy', 'rule', 'namespace', 'tenant', 'mode'],
      registers,
    }),
    injections: new Counter({
      name: 'bulwark_injections_total',
      help: 'Sidecar injection outcomes, by namespace and result (injected, skipped, denied, error).',
      labelNames: ['namespace', 'result'],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'bulwark_certificate_expiry_seconds',
      help: 'Seconds until the serving certificate expires.',
      registers,
    }),
    policyReloads: new Counter({
      name: 'bulwark_policy_reloads_total',
      help: 'Successful loads of the policy document set.',
      registers,
    }),
    policyReloadFailures: new Counter({
      name: 'bulwark_policy_reload_failures_total',
      help: 'Loads of the policy document set that failed; the last good set stays in force.',
      registers,
    }),
    policyDocuments: new Gauge({
      name: 'bulwark_policy_documents',
      help: 'Documents in force, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    tenantUsage: new Gauge({
      name: 'bulwark_tenant_usage',
      help: 'Current usage of a tenant quota, by tenant and quota.',
      labelNames: ['tenant', 'quota'],
      registers,
    }),
    tenantLimit: new Gauge({
      name: 'bulwark_tenant_quota_limit',
      help: 'The limit of a tenant quota, by tenant and quota.',
      labelNames: ['tenant', 'quota'],
      registers,
    }),
    policyDriftObjects: new Gauge({
      name: 'bulwark_policy_drift_objects',
      help: 'Existing ConfigMaps and Secrets that the policies in force would deny or warn about, by policy, rule, namespace and tenant (last drift scan; leader only).',
      labelNames: ['policy', 'rule', 'namespace', 'tenant'],
      registers,
    }),
    driftScans: new Counter({
      name: 'bulwark_drift_scans_total',
      help: 'Policy drift scans, by result (success, partial: some objects could not be read, failure, skipped: caches not synced).',
      labelNames: ['result'],
      registers,
    }),
    controllerLeader: new Gauge({
      name: 'bulwark_controller_leader',
      help: 'Whether this replica holds the bulwark-controllers Lease and runs the controllers (1) or not (0).',
      registers,
    }),
    connectionsRejected: new Counter({
      name: 'bulwark_webhook_connections_rejected_total',
      help: 'TCP connections closed on arrival because a cap was reached, by reason (per-client: --max-connections-per-client, total: --max-connections).',
      labelNames: ['reason'],
      registers,
    }),
  };
}
