/**
 * The shared end-to-end environment: one cluster per mocha run (started by the root hooks in
 * test/e2e/hooks.ts), deploy/base applied to it, and — for suites that need it — the webhook as a
 * local process with the webhook configurations pointing at it.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, startCluster, type TestCluster } from './cluster.js';
import { applyManifests, asList, partitionManifests, renderKustomization, rewriteClientConfig, type Manifest } from './deploy.js';
import { externalCluster, InClusterWebhook, type WebhookControl } from './in-cluster.js';
import { findControlPlanePeers } from './peers.js';
import { repoPath } from './paths.js';
import { e2ePolicies, WebhookProcess } from './webhook.js';

/** The rendered deploy/base, split by how the harness uses it. */
export interface RenderedBase {
  all: Manifest[];
  cluster: Manifest[];
  webhooks: Manifest[];
  podBacked: Manifest[];
}

let cluster: TestCluster | undefined;
let base: RenderedBase | undefined;
let webhook: WebhookProcess | undefined;
let inCluster: InClusterWebhook | undefined;
/** External mode: the webhook configurations as installed, restored after tests rewrite them. */
let installedWebhookConfigs: Manifest[] = [];
let scratch: string | undefined;

/** True when running in CI (missing peers fail instead of skipping). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * The kustomize directory to render: BULWARK_E2E_BASE or deploy/base. deploy/base includes ../crds;
 * while deploy/crds has YAML files but no kustomization.yaml, a scratch copy of base/ and crds/ with a
 * generated kustomization listing the CRD files is rendered instead (with a warning). Without any CRD
 * the base is rendered without them outside CI, and CI fails.
 */
async function kustomizeDir(): Promise<string> {
  const dir = process.env.BULWARK_E2E_BASE || repoPath('deploy/base');
  const text = await readFile(join(dir, 'kustomization.yaml'), 'utf8');
  const crdsDir = repoPath('deploy/crds');
  if (!/^\s*-\s*\.\.\/crds\s*$/m.test(text) || existsSync(join(crdsDir, 'kustomization.yaml'))) return dir;
  const crdFiles = existsSync(crdsDir) ? (await readdir(crdsDir)).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  if (!crdFiles.length && inCI()) throw new Error('deploy/crds holds no CRDs: generate them before running the e2e suite');
  scratch = await mkdtemp(join(tmpdir(), 'bulwark-base-'));
  await cp(dir, join(scratch, 'base'), { recursive: true });
  if (crdFiles.length) {
    progress('WARNING: deploy/crds/kustomization.yaml is missing; rendering deploy/base with a generated one listing deploy/crds/*.yaml');
    await mkdir(join(scratch, 'crds'));
    for (const f of crdFiles) await cp(join(crdsDir, f), join(scratch, 'crds', f));
    await writeFile(join(scratch, 'crds', 'kustomization.yaml'), `resources:\n${crdFiles.map((f) => `  - ${f}\n`).join('')}`);
  } else {
    progress('WARNING: deploy/crds is empty; applying deploy/base WITHOUT the CRDs');
    await writeFile(join(scratch, 'base', 'kustomization.yaml'), text.replace(/^\s*-\s*\.\.\/crds\s*\n/m, ''));
  }
  return join(scratch, 'base');
}

/** External mode: a cluster with deploy/base already installed (test/kind/run-e2e.sh); nothing is started or applied. */
async function setupExternal(kubeconfig: string): Promise<{ started: boolean }> {
  cluster = await externalCluster(kubeconfig, process.env.BULWARK_KUBECTL || 'kubectl');
  const all = await renderKustomization(cluster.kubectl, await kustomizeDir());
  base = { all, ...partitionManifests(all) };
  for (const w of base.webhooks) {
    const live = await cluster.kubectl.getJson(w.kind, w.metadata.name);
    if (!live) throw new Error(`external cluster: ${w.kind} ${w.metadata.name} is not installed (run test/kind/run-e2e.sh)`);
    delete live.metadata.resourceVersion;
    delete live.metadata.uid;
    delete live.metadata.managedFields;
    delete live.metadata.creationTimestamp;
    delete live.metadata.generation;
    installedWebhookConfigs.push(live);
  }
  inCluster = new InClusterWebhook(cluster.kubectl);
  progress(`external cluster ${cluster.apiserverUrl}: webhook is ${inCluster.description}`);
  return { started: true };
}

/** Starts the cluster and applies deploy/base (minus pod-backed kinds and webhook configurations). Returns false when peers are missing outside CI. */
export async function setupE2e(): Promise<{ started: boolean; reason?: string }> {
  const external = process.env.BULWARK_E2E_KUBECONFIG;
  if (external) return setupExternal(external);
  const peers = findControlPlanePeers();
  if (!peers.ok) {
    const reason = `missing test peers: ${peers.missing.join(', ')}. Install them with: ${peers.hint}`;
    if (inCI()) throw new Error(reason);
    return { started: false, reason };
  }
  cluster = await startCluster(peers.peers);
  const t0 = Date.now();
  const all = await renderKustomization(cluster.kubectl, await kustomizeDir());
  base = { all, ...partitionManifests(all) };
  await applyManifests(cluster.kubectl, base.cluster);
  progress(`applied deploy/base: ${base.cluster.length} objects (${Date.now() - t0} ms)`);
  return { started: true };
}

/** Stops the webhook and the cluster and removes every temporary directory. */
export async function teardownE2e(): Promise<void> {
  await webhook?.stop();
  webhook = undefined;
  await cluster?.stop();
  cluster = undefined;
  inCluster = undefined;
  installedWebhookConfigs = [];
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** The running cluster (throws when the root hooks did not start one). */
export function testCluster(): TestCluster {
  if (!cluster) throw new Error('the e2e cluster is not running (root hooks in test/e2e/hooks.ts not loaded?)');
  return cluster;
}

/** The rendered deploy/base. */
export function renderedBase(): RenderedBase {
  if (!base) throw new Error('deploy/base was not rendered');
  return base;
}

/** Applies the webhook configurations of deploy/base with clientConfig pointing at baseUrl. */
export async function applyWebhookConfigs(baseUrl: string, caPem: string): Promise<Manifest[]> {
  const configs = renderedBase().webhooks.map((w) => rewriteClientConfig(w, baseUrl, caPem));
  await testCluster().kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(asList(configs)) });
  return configs;
}

/** Deletes the webhook configurations of deploy/base. */
export async function deleteWebhookConfigs(): Promise<void> {
  for (const w of renderedBase().webhooks) await testCluster().kubectl.ok(['delete', w.kind, w.metadata.name, '--ignore-not-found']);
}

/** Puts the webhook configurations back the way the shared webhook needs them (or removes them when it does not run). */
export async function restoreWebhookConfigs(): Promise<void> {
  if (inCluster) await testCluster().kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(asList(installedWebhookConfigs)) });
  else if (webhook?.running()) await applyWebhookConfigs(webhook.baseUrl, webhook.caPem);
  else await deleteWebhookConfigs();
}

/** Starts the shared webhook process once and points the webhook configurations at it (external mode: the in-cluster Deployment). */
export async function sharedWebhook(): Promise<WebhookControl> {
  if (inCluster) {
    if (!inCluster.running()) await inCluster.start();
    return inCluster;
  }
  const c = testCluster();
  if (!webhook) {
    const t0 = Date.now();
    webhook = new WebhookProcess({ kubeconfig: c.kubeconfig, dir: c.dir, policiesDir: await e2ePolicies(c.dir) });
    await webhook.start();
    progress(`webhook listening on ${webhook.baseUrl} (${Date.now() - t0} ms)`);
  }
  if (!webhook.running()) await webhook.start();
  await applyWebhookConfigs(webhook.baseUrl, webhook.caPem);
  return webhook;
}
