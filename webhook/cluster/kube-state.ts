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
  /** Pods currently counted, by "namespace/uid", so a re-list can drop the ones that are gone. */
  private readonly podsSeen = new Map<string, Record<string, any>>();

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly logger: Logger,
  ) {
    super({ authoritative: true });
    this.setSynced(false);
  }

  private sinkFor(kind: string): ReflectorSink {
    if (kind === 'Pod') return this.podSink();
    return {
      replace: (items) => {
        for (const o of this.objectsOfKind(kind)) this.remove(o);
        for (const o of items) this.upsert(o);
      },
      upsert: (o) => this.upsert(o),
      remove: (o) => this.remove(o),
    };
  }

  /** Keeps only what injectedPods() needs of a pod: namespace, name, uid and the status annotation. */
  private podSink(): ReflectorSink {
    const upsert = (o: Record<string, any>) => {
      const p = slimPod(o);
      const key = `${p.metadata.namespace}/${p.metadata.uid}`;
      if (p.metadata.annotations[ANNOTATION_STATUS]) this.podsSeen.set(key, p);
      else this.podsSeen.delete(key);
      this.upsert(p);
    };
    const remove = (o: Record<string, any>) => {
      const p = slimPod(o);
      this.podsSeen.delete(`${p.metadata.namespace}/${p.metadata.uid}`);
      this.remove(p);
    };
    return {
      replace: (items) => {
        for (const p of [...this.podsSeen.values()]) remove(p);
        for (const o of items) upsert(o);
      },
      upsert,
      remove,
    };
  }

  private objectsOfKind(kind: string): Record<string, any>[] {
    if (kind === 'Namespace') return this.namespaces().map((n) => ({ kind, metadata: { name: n.name } }));
    if (kind === 'ConfigMap' || kind === 'Secret') return this.objects(kind).map((o) => ({ kind, metadata: { namespace: o.namespace, name: o.name } }));
    return [];
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
    const defs: Array<[string, string, (c: string | undefined) => Promise<any>]> = [
      ['/api/v1/namespaces', 'Namespace', (c) => core.listNamespace({ limit: 500, _continue: c })],
      ['/api/v1/configmaps', 'ConfigMap', (c) => core.listConfigMapForAllNamespaces({ limit: 500, _continue: c })],
      ['/api/v1/secrets', 'Secret', (c) => core.listSecretForAllNamespaces({ limit: 500, _continue: c })],
      ['/api/v1/pods', 'Pod', (c) => core.listPodForAllNamespaces({ limit: 500, _continue: c })],
    ];
    for (const [path, kind, lister] of defs) this.reflectors.push(new Reflector(this.kc, path, kind, lister, this.sinkFor(kind), this.logger));
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
