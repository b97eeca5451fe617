/**
 * Installs Bulwark into the node tier's cluster the way a user does with deploy/base: the webhook's
 * serving certificate as Secret bulwark-webhook-tls, the caBundle in both webhook configurations,
 * everything else exactly as rendered, then waits for the webhook Deployment to roll out on the node.
 */
import { generateCerts } from '../../../webhook/certs/generate.js';
import { applyManifests, renderKustomization, type Manifest } from '../../e2e/harness/deploy.js';
import type { Kubectl } from '../../e2e/harness/kubectl.js';
import { repoPath } from '../../e2e/harness/paths.js';

export const BULWARK_NAMESPACE = 'bulwark-system';
const SERVICE_HOSTS = ['bulwark-webhook.bulwark-system.svc', 'bulwark-webhook.bulwark-system.svc.cluster.local'];

/** deploy/base rendered, with caBundle set on every webhook of both configurations. */
export function withCaBundle(all: Manifest[], caPem: string): Manifest[] {
  const caBundle = Buffer.from(caPem, 'utf8').toString('base64');
  return all.map((m) => {
    if (m.kind !== 'MutatingWebhookConfiguration' && m.kind !== 'ValidatingWebhookConfiguration') return m;
    const copy = structuredClone(m);
    for (const w of copy.webhooks as Array<{ clientConfig: Record<string, unknown> }>) w.clientConfig.caBundle = caBundle;
    return copy;
  });
}

/** Installs deploy/base and waits until the webhook serves; returns the rendered manifests. */
export async function installBulwark(kubectl: Kubectl, log: (m: string) => void): Promise<{ manifests: Manifest[]; caPem: string }> {
  const certs = generateCerts(SERVICE_HOSTS, { days: 2, caDays: 2 });
  const manifests = withCaBundle(await renderKustomization(kubectl, repoPath('deploy/base')), certs.ca.certPem);
  const ns = manifests.filter((m) => m.kind === 'Namespace');
  await applyManifests(kubectl, ns);
  await kubectl.ok(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'bulwark-webhook-tls', namespace: BULWARK_NAMESPACE },
      stringData: { 'tls.crt': certs.serving.certPem, 'tls.key': certs.serving.keyPem, 'ca.crt': certs.ca.certPem },
    }),
  });
  await applyManifests(kubectl, manifests.filter((m) => m.kind !== 'Namespace'));
  log(`applied deploy/base (${manifests.length} objects); waiting for the webhook Deployment`);
  const r = await kubectl.run(['-n', BULWARK_NAMESPACE, 'rollout', 'status', 'deployment/bulwark-webhook', '--timeout=240s'], { timeoutMs: 250_000 });
  if (r.code !== 0) {
    const pods = await kubectl.run(['-n', BULWARK_NAMESPACE, 'get', 'pods', '-o', 'wide']);
    const logs = await kubectl.run(['-n', BULWARK_NAMESPACE, 'logs', '-l', 'app.kubernetes.io/name=bulwark-webhook', '--tail=20', '--all-containers']);
    const events = await kubectl.run(['-n', BULWARK_NAMESPACE, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`the webhook Deployment did not roll out: ${r.stderr.trim()}\n${pods.stdout}\n${logs.stdout}${logs.stderr}\n${events.stdout.split('\n').slice(-15).join('\n')}`);
  }
  return { manifests, caPem: certs.ca.certPem };
}
