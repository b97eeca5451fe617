/**
 * Renders deploy/base with kubectl's built-in kustomize and prepares it for a cluster without
 * kubelets: the webhook runs as a local process, so only the clientConfig of the two webhook
 * configurations is rewritten (a url to that process plus its CA bundle); everything else is the
 * project's own manifests, unchanged.
 */
import { parseManifests as readManifests } from '../../../webhook/util/manifests.js';
import type { Kubectl } from './kubectl.js';

/** A rendered Kubernetes object. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: any };

/** Kinds of the base that need a kubelet (or only make sense with pods) and are not applied for real. */
export const POD_BACKED_KINDS: readonly string[] = ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy'];

/** The two admission webhook configuration kinds. */
export const WEBHOOK_CONFIG_KINDS: readonly string[] = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** Runs `kubectl kustomize dir` and parses the documents. */
export async function renderKustomization(kubectl: Kubectl, dir: string): Promise<Manifest[]> {
  const r = await kubectl.run(['kustomize', dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}

/** Parses multi-document YAML (List objects flattened) with the product's own manifest reader. */
export function parseManifests(text: string): Manifest[] {
  return readManifests(text, 'rendered manifests').map((m) => m.object as Manifest);
}

/**
 * Returns a copy of a webhook configuration whose every webhook calls baseUrl + its service path
 * (e.g. https://127.0.0.1:40123/validate) and trusts caPem; no other field changes.
 */
export function rewriteClientConfig(config: Manifest, baseUrl: string, caPem: string): Manifest {
  if (!WEBHOOK_CONFIG_KINDS.includes(config.kind)) throw new Error(`${config.kind} is not a webhook configuration`);
  const copy = structuredClone(config);
  for (const w of (copy.webhooks ?? []) as Array<Record<string, any>>) {
    const path = w.clientConfig?.service?.path ?? w.clientConfig?.url?.replace(/^https:\/\/[^/]+/, '');
    if (!path) throw new Error(`webhook ${w.name} has no service path to keep`);
    w.clientConfig = { url: `${baseUrl}${path}`, caBundle: Buffer.from(caPem, 'utf8').toString('base64') };
  }
  return copy;
}

/** Splits rendered manifests into what is applied before the webhook runs, the webhook configurations, and the pod-backed rest. */
export function partitionManifests(all: Manifest[]): { cluster: Manifest[]; webhooks: Manifest[]; podBacked: Manifest[] } {
  return {
    cluster: all.filter((m) => !POD_BACKED_KINDS.includes(m.kind) && !WEBHOOK_CONFIG_KINDS.includes(m.kind)),
    webhooks: all.filter((m) => WEBHOOK_CONFIG_KINDS.includes(m.kind)),
    podBacked: all.filter((m) => POD_BACKED_KINDS.includes(m.kind)),
  };
}

/** A kubectl List of the given objects (one apply for many objects). */
export function asList(items: Manifest[]): { apiVersion: 'v1'; kind: 'List'; items: Manifest[] } {
  return { apiVersion: 'v1', kind: 'List', items };
}

/** Applies objects with server-side apply semantics of `kubectl apply`; CRDs first, then waits for them to be Established. */
export async function applyManifests(kubectl: Kubectl, items: Manifest[]): Promise<void> {
  const crds = items.filter((m) => m.kind === 'CustomResourceDefinition');
  const rest = items.filter((m) => m.kind !== 'CustomResourceDefinition');
  if (crds.length) {
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(asList(crds)) });
    await kubectl.ok(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
  }
  if (rest.length) await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(asList(rest)) });
}
