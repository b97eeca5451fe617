/**
 * ClusterState backed by list/watch caches of Namespaces, ConfigMaps, Secrets and Pods from the API
 * server, plus the server version. Namespaces and Pods are listed and watched metadata-only (their
 * labels and annotations are all the rules read); ConfigMaps and Secrets need their content for key
 * names, sizes and type, and are summarised on arrival: key names and sizes, never values. Pods are
 * reduced to their identity and Bulwark status annotation (for the injectedPods quota).
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { MemoryClusterState } from './memory-state.js';
import { Reflector, type Lister, type ReflectorSink } from './reflector.js';
import { metadataListOptions, metadataWatchConfig } from './metadata-only.js';
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

/** One cache: the collection, the kind its objects get, how to list a page, and whether metadata alone is fetched. */
interface CacheDef {
  path: string;
  kind: string;
  list: Lister;
  query?: Record<string, string>;
  /** List and watch PartialObjectMetadata: the rules read only labels and annotations of this kind. */
  metadataOnly: boolean;
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
    const meta = metadataListOptions();
    const metaKc = metadataWatchConfig(this.kc);
    // Helm release Secrets are large and never judged by Bulwark: they are not listed or watched.
    const secretQuery = { fieldSelector: 'type!=helm.sh/release.v1' };
    const defs: CacheDef[] = [
      // labels and annotations: environment, tenant, injection opt-in
      { path: '/api/v1/namespaces', kind: 'Namespace', metadataOnly: true, list: (c) => core.listNamespace({ limit: 500, _continue: c }, meta) },
      // key names and sizes (references, envFrom, configBytes quota), labels, immutable: content needed
      { path: '/api/v1/configmaps', kind: 'ConfigMap', metadataOnly: false, list: (c) => core.listConfigMapForAllNamespaces({ limit: 500, _continue: c }) },
      // key names (references, envFrom), type (quotas skip system Secrets), labels: content needed, values dropped on arrival
      { path: '/api/v1/secrets', kind: 'Secret', metadataOnly: false, query: secretQuery, list: (c) => core.listSecretForAllNamespaces({ limit: 500, _continue: c, ...secretQuery }) },
      // the bulwark.dev/status annotation (injectedPods quota)
      { path: '/api/v1/pods', kind: 'Pod', metadataOnly: true, list: (c) => core.listPodForAllNamespaces({ limit: 500, _continue: c }, meta) },
    ];
    for (const d of defs) this.reflectors.push(new Reflector(d.metadataOnly ? metaKc : this.kc, d.path, d.kind, d.list, this.sinkFor(d.kind), this.logger, d.query ?? {}));
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
