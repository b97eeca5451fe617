/**
 * ClusterState backed by list/watch caches of Namespaces, ConfigMaps, Secrets and Pods from the API
 * server, plus the server version. Secrets are summarised on arrival: key names and sizes, never values;
 * pods are reduced to their identity and Bulwark status annotation (for the injectedPods quota).
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { MemoryClusterState } from './memory-state.js';
import { Reflector, type ReflectorSink } from './reflector.js';
import type { ServerVersion } from './types.js';
import { ANNOTATION_STATUS } from '../labels.js';

/** Reduces a pod to namespace, name, uid and the Bulwark status annotation (spec and status are dropped). */
export function slimPod(o: Record<string, any>): { kind: 'Pod'; metadata: { namespace: string; name: string; uid: string; annotations: Record<string, string> } } {
  const md = o?.metadata ?? {};
  const status = md.annotations?.[ANNOTATION_STATUS];
  return {
    kind: 'Pod',
    metadata: { namespace: String(md.namespace ?? ''), name: String(md.name ?? ''), uid: String(md.uid ?? md.name ?? ''), annotations: status ? { [ANNOTATION_STATUS]: String(status) } : {} },
  };
}

/** Parses the version answered by /version ("1", "34+") into numbers. */
export function parseServerVersion(info: { major?: string; minor?: string; gitVersion?: string }): ServerVersion | undefined {
  const major = parseInt(String(info.major ?? '').replace(/\D+$/, ''), 10);
  const minor = parseInt(String(info.minor ?? '').replace(/\D+$/, ''), 10);
  if (Number.isFinite(major) && Number.isFinite(minor)) return { major, minor };
  const m = /^v(\d+)\.(\d+)/.exec(info.gitVersion ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Cluster state kept current from the API server. */
export class KubeClusterState extends MemoryClusterState {
  private readonly reflectors: Reflector[] = [];

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly logger: Logger,
  ) {
    super({ authoritative: true });
    this.setSynced(false);
  }

  private sinkFor(kind: string): ReflectorSink {
    if (kind === 'Pod') return this.podSink();
    return { upsert: (o) => this.upsert(o), remove: (o) => this.remove(o) };
  }

  /** Keeps only what injectedPods() needs of a pod: namespace, name, uid and the status annotation. */
  private podSink(): ReflectorSink {
    return { upsert: (o) => this.upsert(slimPod(o)), remove: (o) => this.remove(slimPod(o)) };
  }

  /** Starts the caches; resolves when all have listed once. */
  async start(): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    try {
      const info = await this.kc.makeApiClient(k8s.VersionApi).getCode();
      this.setServerVersion(parseServerVersion(info));
    } catch (err) {
      this.logger.warn('cannot read the server version; native sidecar detection falls back to config', { error: errorMessage(err) });
    }
    // Helm release Secrets are large and never judged by Bulwark: they are not listed or watched.
    const secretQuery = { fieldSelector: 'type!=helm.sh/release.v1' };
    const defs: Array<[string, string, (c: string | undefined) => Promise<any>, Record<string, string>]> = [
      ['/api/v1/namespaces', 'Namespace', (c) => core.listNamespace({ limit: 500, _continue: c }), {}],
      ['/api/v1/configmaps', 'ConfigMap', (c) => core.listConfigMapForAllNamespaces({ limit: 500, _continue: c }), {}],
      ['/api/v1/secrets', 'Secret', (c) => core.listSecretForAllNamespaces({ limit: 500, _continue: c, ...secretQuery }), secretQuery],
      ['/api/v1/pods', 'Pod', (c) => core.listPodForAllNamespaces({ limit: 500, _continue: c }), {}],
    ];
    for (const [path, kind, lister, query] of defs) this.reflectors.push(new Reflector(this.kc, path, kind, lister, this.sinkFor(kind), this.logger, query));
    await Promise.all(this.reflectors.map((r) => r.start()));
    this.setSynced(true);
  }

  override synced(): boolean {
    return this.reflectors.length > 0 && this.reflectors.every((r) => r.synced());
  }

  /** Stops every cache. */
  stop(): void {
    for (const r of this.reflectors) r.stop();
  }
}
