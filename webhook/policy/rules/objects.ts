/**
 * Small helpers the rules share: object naming, JSON pointers, globs and the pod specs inside workloads.
 */
import type { KubeObject } from '../../admission/types.js';
import { matchGlob } from './patterns.js';

/** Kinds that carry a pod spec, and where. */
export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'] as const;

/** A pod spec found inside an object, with its metadata and the JSON pointer of the spec. */
export interface PodSpecAt {
  spec: Record<string, any>;
  metadata: Record<string, any>;
  path: string;
}

/** Returns the pod spec of a Pod or a workload's pod template (none for other kinds). */
export function podSpecOf(obj: KubeObject): PodSpecAt | undefined {
  const o = obj as Record<string, any>;
  switch (obj.kind) {
    case 'Pod':
      return o.spec ? { spec: o.spec, metadata: o.metadata ?? {}, path: '/spec' } : undefined;
    case 'CronJob': {
      const t = o.spec?.jobTemplate?.spec?.template;
      return t?.spec ? { spec: t.spec, metadata: t.metadata ?? {}, path: '/spec/jobTemplate/spec/template/spec' } : undefined;
    }
    default: {
      const t = o.spec?.template;
      if (!(WORKLOAD_KINDS as readonly string[]).includes(String(obj.kind)) || !t?.spec) return undefined;
      return { spec: t.spec, metadata: t.metadata ?? {}, path: '/spec/template/spec' };
    }
  }
}

/** A container with the JSON pointer where it sits. */
export interface ContainerAt {
  container: Record<string, any>;
  path: string;
}

/** Lists the containers, init containers and ephemeral containers of a pod spec. */
export function containersOf(at: PodSpecAt): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = at.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (c && typeof c === 'object') out.push({ container: c, path: `${at.path}/${field}/${i}` });
    });
  }
  return out;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Describes an object for messages: "ConfigMap team-a/app". */
export function describe(obj: KubeObject | undefined, kind?: string): string {
  const md = obj?.metadata ?? {};
  const name = md.name ?? md.generateName ?? '<unnamed>';
  const k = kind ?? obj?.kind ?? 'object';
  return md.namespace ? `${k} ${md.namespace}/${name}` : `${k} ${name}`;
}

/**
 * Reports whether a value matches any of the globs (`*` wildcards, anchored). Matching uses no regular
 * expression (see patterns.ts): a glob written by a tenant cannot make it slow.
 */
export function matchesAnyGlob(value: string, globs: readonly string[] | undefined): boolean {
  if (!globs) return false;
  for (const g of globs) {
    if (g === value || (g.includes('*') && matchGlob(g, value))) return true;
  }
  return false;
}

/**
 * Returns a string map (data, labels, annotations) or an empty one. The map has no prototype, so
 * user-chosen keys such as `__proto__` or `constructor` are ordinary keys (a `{}` would drop
 * `__proto__` and answer `constructor` from Object.prototype).
 */
export function stringMap(v: unknown): Readonly<Record<string, string>> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return EMPTY_MAP;
  // Every rule of every policy reads the same maps of one request: converted once per object (a 75,000-key ConfigMap's data took 60 ms a call).
  let out = stringMaps.get(v);
  if (!out) {
    out = Object.create(null) as Record<string, string>;
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (typeof val === 'string') out[k] = val;
    stringMaps.set(v, out);
  }
  return out;
}

const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const stringMaps = new WeakMap<object, Record<string, string>>();
