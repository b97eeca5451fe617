/**
 * Renders Bulwark's manifests the way users do: `kubectl kustomize` for deploy/ (base, overlays,
 * components) and `helm template` for deploy/helm/bulwark, parsed into plain objects.
 */
import { parseManifests as readManifests } from '../../../webhook/util/manifests.js';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runTool } from './tools.js';

/** A rendered Kubernetes object. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> }; [k: string]: any };

/** The chart directory. */
export const CHART = join(ROOT, 'deploy/helm/bulwark');

/** Kubernetes version the chart is rendered for (its kubeVersion needs >= 1.30). */
export const KUBE_VERSION = '1.34.0';

/** Parses multi-document YAML (List objects flattened) with the product's own manifest reader. */
export function parseManifests(text: string): Manifest[] {
  return readManifests(text, 'rendered manifests').map((m) => m.object as Manifest);
}

let scratch: string | undefined;

/**
 * The deploy/ directory to render. deploy/base includes ../crds; while deploy/crds has CRD files but
 * no kustomization.yaml, a scratch copy of deploy/ with a generated one is used (with a warning).
 */
export function deployDir(): string {
  const crds = join(ROOT, 'deploy/crds');
  if (existsSync(join(crds, 'kustomization.yaml'))) return join(ROOT, 'deploy');
  if (scratch) return scratch;
  scratch = mkdtempSync(join(tmpdir(), 'bulwark-deploy-'));
  cpSync(join(ROOT, 'deploy'), scratch, { recursive: true, filter: (src) => !src.includes('/helm/') });
  const files = readdirSync(crds).filter((f) => /\.ya?ml$/.test(f)).sort();
  writeFileSync(join(scratch, 'crds/kustomization.yaml'), `resources:\n${files.map((f) => `  - ${f}\n`).join('')}`);
  process.stderr.write('      [deploy] WARNING: deploy/crds/kustomization.yaml is missing; rendering with a generated one\n');
  return scratch;
}

/** Removes the scratch copy, if one was made. */
export function cleanupRender(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** `kubectl kustomize deploy/<rel>` parsed; throws with kustomize's message on failure. */
export function renderKustomize(kubectl: string, rel: string): Manifest[] {
  const r = runTool(kubectl, ['kustomize', join(deployDir(), rel)]);
  if (r.code !== 0) throw new Error(`kubectl kustomize deploy/${rel} failed: ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}

/** Options of one `helm template` run. */
export interface ChartOptions {
  release?: string;
  namespace?: string;
  set?: string[];
}

/** `helm template` of the chart; returns the objects or the error text. */
export function tryRenderChart(helm: string, opts: ChartOptions = {}): { ok: true; objects: Manifest[] } | { ok: false; error: string } {
  const args = ['template', opts.release ?? 'bulwark', CHART, '--namespace', opts.namespace ?? 'bulwark-system', '--kube-version', KUBE_VERSION];
  for (const s of opts.set ?? []) args.push('--set', s);
  const r = runTool(helm, args);
  return r.code === 0 ? { ok: true, objects: parseManifests(r.stdout) } : { ok: false, error: r.stderr.trim() };
}

/** `helm template` of the chart; throws on failure. */
export function renderChart(helm: string, opts: ChartOptions = {}): Manifest[] {
  const r = tryRenderChart(helm, opts);
  if (!r.ok) throw new Error(`helm template failed: ${r.error}`);
  return r.objects;
}

/** The one object of a kind (and name, when given); throws when absent or ambiguous. */
export function one(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}
