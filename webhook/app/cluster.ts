/**
 * Chooses where cluster state comes from: the API server through caches (in a pod or with a
 * kubeconfig) or a local namespaces file (standalone).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import type { ServerOptions } from '../config/options.js';
import { loadFileState } from '../cluster/file-state.js';
import { MemoryClusterState } from '../cluster/memory-state.js';
import type { ClusterState } from '../cluster/types.js';
import type { Logger } from '../log.js';

/** Cluster state plus, when connected, the kubeconfig used. */
export interface ClusterConnection {
  state: ClusterState;
  kubeConfig: k8s.KubeConfig | undefined;
  mode: 'none' | 'kubeconfig' | 'in-cluster';
  stop(): void;
}

/** Resolves --cluster auto into a concrete mode. */
export function clusterMode(opts: Pick<ServerOptions, 'cluster' | 'kubeconfig'>, env: NodeJS.ProcessEnv = process.env): ClusterConnection['mode'] {
  if (opts.cluster !== 'auto') return opts.cluster;
  if (env.KUBERNETES_SERVICE_HOST) return 'in-cluster';
  return opts.kubeconfig ? 'kubeconfig' : 'none';
}

/** The namespaces file used in standalone mode, if any. */
export function namespacesFileFor(opts: Pick<ServerOptions, 'namespacesFile' | 'policiesDir'>): string | undefined {
  if (opts.namespacesFile) return opts.namespacesFile;
  const guess = join(opts.policiesDir, 'namespaces.yaml');
  return existsSync(guess) ? guess : undefined;
}

/** Connects to the cluster (or reads the local file) and fills the caches before returning. */
export async function connectCluster(opts: ServerOptions, logger: Logger): Promise<ClusterConnection> {
  const mode = clusterMode(opts);
  if (mode === 'none') {
    const file = namespacesFileFor(opts);
    const state = file ? await loadFileState(file) : new MemoryClusterState();
    logger.info('standalone mode: namespace metadata from a local file', { file: file ?? '(none)', namespaces: state.namespaces().length });
    return { state, kubeConfig: undefined, mode, stop: () => undefined };
  }
  // Loaded only when connected to a cluster: the client is large and standalone use never needs it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { KubeClusterState } = await import('../cluster/kube-state.js');
  const kc = new KubeConfig();
  if (mode === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromFile(opts.kubeconfig!);
  const state = new KubeClusterState(kc, logger);
  const started = Date.now();
  await state.start();
  logger.info('cluster caches synced', { mode, durationMs: Date.now() - started, namespaces: state.namespaces().length });
  return { state, kubeConfig: kc, mode, stop: () => state.stop() };
}
