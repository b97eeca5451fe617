/**
 * Helpers for the node tier's tests: namespaces set up the way a user sets them up for Bulwark
 * (labels, a ServiceAccount, the bulwark-sidecar ClusterRole bound to it), the sample app as a
 * Deployment, and waiting on pods through the API server.
 */
import http from 'node:http';
import type { Kubectl } from '../../e2e/harness/kubectl.js';
import { waitFor } from '../../e2e/harness/net.js';
import { IMAGES } from './images.js';

/** The app user of the sample app image (not Bulwark's 65532). */
export const APP_USER = 10001;

/** Creates a namespace with environment/tenant labels, ServiceAccount `app`, and the sidecar's RoleBinding. */
export async function userNamespace(kubectl: Kubectl, name: string, labels: Record<string, string>): Promise<void> {
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: name } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'bulwark-sidecar', namespace: name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bulwark-sidecar' },
      subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: name }],
    },
  ];
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  await waitFor(`ServiceAccount ${name}/default`, async () => ((await kubectl.getJson('serviceaccount', 'default', name)) ? true : undefined), { timeoutMs: 60_000, intervalMs: 300 });
}

/** The sample app's pod template: non-root app user, fsGroup so it reads Bulwark's 0440 files. */
export function sampleAppTemplate(
  annotations: Record<string, string>,
  labels: Record<string, string>,
  config = '/bulwark/app.json',
  securityContext: Record<string, unknown> = { runAsNonRoot: true, runAsUser: APP_USER, runAsGroup: APP_USER, fsGroup: APP_USER, seccompProfile: { type: 'RuntimeDefault' } },
): Record<string, unknown> {
  return {
    metadata: { labels, annotations },
    spec: {
      serviceAccountName: 'app',
      terminationGracePeriodSeconds: 2,
      securityContext,
      containers: [
        {
          name: 'app',
          image: IMAGES.app,
          imagePullPolicy: 'Never',
          args: ['--config', config, '--host', '0.0.0.0', '--port', '8080'],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

/** A one-replica Deployment of the sample app. */
export function sampleDeployment(namespace: string, name: string, annotations: Record<string, string>, securityContext?: Record<string, unknown>): Record<string, unknown> {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: sampleAppTemplate(annotations, labels, '/bulwark/app.json', securityContext) },
  };
}

/** A pod as the tests read it. */
export interface PodInfo {
  name: string;
  ip: string;
  uid: string;
  phase: string;
  raw: any;
}

/** Pods matching a label selector. */
export async function listPods(kubectl: Kubectl, namespace: string, selector: string): Promise<PodInfo[]> {
  const list = JSON.parse(await kubectl.ok(['-n', namespace, 'get', 'pods', '-l', selector, '-o', 'json']));
  return (list.items as any[]).map((p) => ({ name: p.metadata.name, ip: p.status?.podIP ?? '', uid: p.metadata.uid, phase: p.status?.phase ?? '', raw: p }));
}

function isReady(p: any): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Why a pod is not ready, from its container statuses (for timeout messages). */
export function podStory(p: any): string {
  const all = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  const states = all.map((c: any) => {
    const [k, v] = Object.entries(c.state ?? {})[0] ?? ['unknown', {}];
    const detail = (v as any)?.reason ? `${(v as any).reason}${(v as any).exitCode !== undefined ? ` ${(v as any).exitCode}` : ''}` : '';
    return `${c.name}=${k}${detail ? `(${detail})` : ''}${c.restartCount ? ` restarts=${c.restartCount}` : ''}`;
  });
  return `${p.metadata.name} ${p.status?.phase ?? '?'} [${states.join(', ')}]`;
}

/** Waits until `count` ready pods match the selector (and not one more that is ready); returns them. */
export async function waitReadyPods(kubectl: Kubectl, namespace: string, selector: string, opts: { count?: number; timeoutMs?: number; exclude?: string[] } = {}): Promise<PodInfo[]> {
  const want = opts.count ?? 1;
  return waitFor(
    `${want} ready pod(s) ${namespace}/${selector}`,
    async () => {
      const pods = (await listPods(kubectl, namespace, selector)).filter((p) => !(opts.exclude ?? []).includes(p.uid));
      const ready = pods.filter((p) => isReady(p.raw));
      if (ready.length === want && pods.length === want) return ready;
      throw new Error(pods.map((p) => podStory(p.raw)).join('; ') || 'no pod yet');
    },
    { timeoutMs: opts.timeoutMs ?? 180_000, intervalMs: 1000 },
  );
}

/** GETs JSON from a pod (the host routes to the pod network). */
export function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** Events of an object, oldest first, as "reason: message" lines. */
export async function eventsOf(kubectl: Kubectl, namespace: string, name: string): Promise<string[]> {
  const list = JSON.parse(await kubectl.ok(['-n', namespace, 'get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']));
  return (list.items as any[]).map((e) => `${e.reason}: ${e.message}`);
}

/**
 * Applies a manifest once a server-side dry run admits it: the webhook learns stores, namespaces and
 * ConfigMaps from watch caches, so an object that depends on something just created may be denied
 * for a moment. The dry run has no side effects; the last denial is quoted on timeout.
 */
export async function applyWhenAdmitted(kubectl: Kubectl, manifest: unknown, timeoutMs = 30_000): Promise<void> {
  const input = JSON.stringify(manifest);
  await waitFor(
    'the webhook to admit the manifest (server-side dry run)',
    async () => {
      const r = await kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input });
      if (r.code === 0) return true;
      throw new Error(r.stderr.trim());
    },
    { timeoutMs, intervalMs: 500 },
  );
  await kubectl.ok(['apply', '-f', '-'], { input });
}
