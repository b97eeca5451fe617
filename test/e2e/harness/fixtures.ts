/**
 * Test data and waits shared by the webhook suites: the e2e namespaces (labelled like real tenants
 * and environments), a pod builder, and `eventually` for assertions that depend on the webhook's
 * watch caches catching up with the apiserver.
 */
import { sleep } from './net.js';
import { sharedWebhook, testCluster } from './env.js';
import type { WebhookControl } from './in-cluster.js';

/** The namespaces of the webhook suites and their labels. */
export const NAMESPACES: Record<string, Record<string, string>> = {
  'e2e-dev': { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': 'team-a' },
  'e2e-prod': { 'bulwark.dev/environment': 'prod', 'bulwark.dev/tenant': 'team-a' },
  'e2e-audit': { 'bulwark.dev/environment': 'e2e-audit' },
  'e2e-inject': { 'bulwark.dev/inject': 'enabled', 'bulwark.dev/tenant': 'team-a' },
  'e2e-plain': {},
};

/** Retries fn until it stops throwing, for up to timeoutMs; rethrows the last error. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}

/** A minimal pod manifest; annotations and extra fields merge in. */
export function pod(namespace: string, name: string, annotations: Record<string, string> = {}, extra: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations, ...(extra.metadata ?? {}) },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], ...(extra.spec ?? {}) },
  };
}

let ready: Promise<WebhookControl> | undefined;

/**
 * Starts the shared webhook, creates the e2e namespaces and waits until the webhook's caches know
 * them (probed with a side-effect-free server-side dry-run that only a labelled namespace denies).
 */
export function webhookWithNamespaces(): Promise<WebhookControl> {
  ready ??= (async () => {
    const w = await sharedWebhook();
    const k = testCluster().kubectl;
    const items = Object.entries(NAMESPACES).map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    await eventually(async () => {
      // a managed, mutable ConfigMap is denied only once the webhook knows e2e-prod is prod
      const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'e2e-prod', labels: { 'bulwark.dev/managed': 'true' } }, data: { a: 'b' } };
      const r = await k.create(probe, ['--dry-run=server']);
      if (r.code === 0) throw new Error('the webhook does not see namespace e2e-prod yet');
    }, 30_000);
    return w;
  })();
  return ready;
}
