/**
 * ClusterState held in plain maps: filled from a local file in standalone mode and by the CLI,
 * and used as the store behind the informer-backed state.
 */
import type { ClusterState, NamespaceInfo, ObjectSummary, ServerVersion } from './types.js';
import { summarize } from './types.js';

/** An in-memory ClusterState that can be filled with Kubernetes objects. */
export class MemoryClusterState implements ClusterState {
  readonly authoritative: boolean;
  private readonly ns = new Map<string, NamespaceInfo>();
  private readonly objs = new Map<string, ObjectSummary>();
  private readonly pods = new Map<string, Set<string>>();
  private version: ServerVersion | undefined;
  private isSynced = true;

  constructor(opts: { authoritative?: boolean; serverVersion?: ServerVersion } = {}) {
    this.authoritative = opts.authoritative ?? false;
    this.version = opts.serverVersion;
  }

  private static key(kind: string, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  /** Adds or replaces a Namespace, ConfigMap, Secret or (injected) Pod; other kinds are ignored. */
  upsert(obj: Record<string, any>): void {
    const md = obj?.metadata ?? {};
    if (obj?.kind === 'Namespace' && typeof md.name === 'string') {
      this.ns.set(md.name, { name: md.name, labels: { ...(md.labels ?? {}) }, annotations: { ...(md.annotations ?? {}) } });
      return;
    }
    if (obj?.kind === 'Pod') {
      const ns = String(md.namespace ?? '');
      const set = this.pods.get(ns) ?? new Set<string>();
      const id = String(md.uid ?? md.name ?? '');
      if (md.annotations?.['bulwark.dev/status']) set.add(id);
      else set.delete(id);
      this.pods.set(ns, set);
      return;
    }
    const s = summarize(obj);
    if (s) this.objs.set(MemoryClusterState.key(s.kind, s.namespace, s.name), s);
  }

  /** Removes an object previously added. */
  remove(obj: Record<string, any>): void {
    const md = obj?.metadata ?? {};
    if (obj?.kind === 'Namespace') this.ns.delete(md.name);
    else if (obj?.kind === 'Pod') this.pods.get(String(md.namespace ?? ''))?.delete(String(md.uid ?? md.name ?? ''));
    else this.objs.delete(MemoryClusterState.key(obj?.kind, String(md.namespace ?? ''), String(md.name ?? '')));
  }

  setServerVersion(v: ServerVersion | undefined): void {
    this.version = v;
  }

  setSynced(v: boolean): void {
    this.isSynced = v;
  }

  namespace(name: string): NamespaceInfo | undefined {
    return this.ns.get(name);
  }

  namespaces(): NamespaceInfo[] {
    return [...this.ns.values()];
  }

  object(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): ObjectSummary | undefined {
    return this.objs.get(MemoryClusterState.key(kind, namespace, name));
  }

  objects(kind: 'ConfigMap' | 'Secret', namespace?: string): ObjectSummary[] {
    const out: ObjectSummary[] = [];
    for (const o of this.objs.values()) if (o.kind === kind && (namespace === undefined || o.namespace === namespace)) out.push(o);
    return out;
  }

  injectedPods(namespace: string): number {
    return this.pods.get(namespace)?.size ?? 0;
  }

  serverVersion(): ServerVersion | undefined {
    return this.version;
  }

  synced(): boolean {
    return this.isSynced;
  }
}
