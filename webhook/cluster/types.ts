/**
 * The read-only view of cluster state that admission decisions are made from. All lookups are
 * served from memory (informer caches in a cluster, local files otherwise); never a live GET per request.
 */

/** A namespace's metadata, which gives it its environment and tenant. */
export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What Bulwark keeps of a ConfigMap or Secret: metadata, key names and sizes, never values. */
export interface ObjectSummary {
  kind: 'ConfigMap' | 'Secret';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Key names of data and binaryData (ConfigMap) or data/stringData (Secret). */
  keys: string[];
  immutable: boolean;
  /** Total bytes of all values. */
  sizeBytes: number;
  /** Secret type, e.g. Opaque. */
  type?: string;
}

/** A Kubernetes server version. */
export interface ServerVersion {
  major: number;
  minor: number;
}

/** Cluster state as the admission pipeline sees it. */
export interface ClusterState {
  /** Whether object lookups are authoritative (a cluster, or a file that lists objects). */
  readonly authoritative: boolean;
  namespace(name: string): NamespaceInfo | undefined;
  namespaces(): NamespaceInfo[];
  object(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): ObjectSummary | undefined;
  objects(kind: 'ConfigMap' | 'Secret', namespace?: string): ObjectSummary[];
  /** Number of pods in a namespace that carry the bulwark.dev/status annotation (injected). */
  injectedPods(namespace: string): number;
  serverVersion(): ServerVersion | undefined;
  /** True once every cache has completed its first list. */
  synced(): boolean;
}

/** Summarises a ConfigMap or Secret object into the secret-free form kept in caches. */
export function summarize(obj: Record<string, any>): ObjectSummary | undefined {
  const kind = obj?.kind;
  if (kind !== 'ConfigMap' && kind !== 'Secret') return undefined;
  const md = obj.metadata ?? {};
  // a Set: one pass over the keys, linear in the object's size (keys.includes was quadratic:
  // 3.9 s for a 75,000-key ConfigMap)
  const seen = new Set<string>();
  let sizeBytes = 0;
  const add = (m: unknown, decode: boolean) => {
    if (!m || typeof m !== 'object') return;
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      seen.add(k);
      if (typeof v === 'string') sizeBytes += decode ? Math.floor((v.length * 3) / 4) : Buffer.byteLength(v);
    }
  };
  if (kind === 'ConfigMap') {
    add(obj.data, false);
    add(obj.binaryData, true);
  } else {
    add(obj.data, true);
    add(obj.stringData, false);
  }
  const out: ObjectSummary = {
    kind,
    namespace: String(md.namespace ?? ''),
    name: String(md.name ?? ''),
    labels: { ...(md.labels ?? {}) },
    annotations: { ...(md.annotations ?? {}) },
    keys: [...seen],
    immutable: obj.immutable === true,
    sizeBytes,
  };
  if (kind === 'Secret') out.type = String(obj.type ?? 'Opaque');
  return out;
}
