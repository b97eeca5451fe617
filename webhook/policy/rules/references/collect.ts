/**
 * Collects the ConfigMap and Secret references of a pod spec: volumes, projected volumes, envFrom
 * and env valueFrom, each with the keys it needs and whether it is optional.
 */
import { containersOf, type PodSpecAt } from '../objects.js';

/** One reference from a pod to a ConfigMap or Secret. */
export interface ObjectReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Keys the reference needs (empty: the whole object). */
  keys: string[];
  optional: boolean;
  path: string;
}

function items(list: unknown): string[] {
  return Array.isArray(list) ? list.map((i) => String(i?.key ?? '')).filter(Boolean) : [];
}

/** Lists every ConfigMap and Secret reference in a pod spec. */
export function collectReferences(pod: PodSpecAt): ObjectReference[] {
  const out: ObjectReference[] = [];
  const volumes = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
  volumes.forEach((v: Record<string, any>, i: number) => {
    const path = `${pod.path}/volumes/${i}`;
    if (v?.configMap?.name) out.push({ kind: 'ConfigMap', name: v.configMap.name, keys: items(v.configMap.items), optional: v.configMap.optional === true, path: `${path}/configMap` });
    if (v?.secret?.secretName) out.push({ kind: 'Secret', name: v.secret.secretName, keys: items(v.secret.items), optional: v.secret.optional === true, path: `${path}/secret` });
    const sources = Array.isArray(v?.projected?.sources) ? v.projected.sources : [];
    sources.forEach((s: Record<string, any>, j: number) => {
      const sp = `${path}/projected/sources/${j}`;
      if (s?.configMap?.name) out.push({ kind: 'ConfigMap', name: s.configMap.name, keys: items(s.configMap.items), optional: s.configMap.optional === true, path: `${sp}/configMap` });
      if (s?.secret?.name) out.push({ kind: 'Secret', name: s.secret.name, keys: items(s.secret.items), optional: s.secret.optional === true, path: `${sp}/secret` });
    });
  });
  for (const { container, path } of containersOf(pod)) {
    (Array.isArray(container.envFrom) ? container.envFrom : []).forEach((e: Record<string, any>, i: number) => {
      if (e?.configMapRef?.name) out.push({ kind: 'ConfigMap', name: e.configMapRef.name, keys: [], optional: e.configMapRef.optional === true, path: `${path}/envFrom/${i}/configMapRef` });
      if (e?.secretRef?.name) out.push({ kind: 'Secret', name: e.secretRef.name, keys: [], optional: e.secretRef.optional === true, path: `${path}/envFrom/${i}/secretRef` });
    });
    (Array.isArray(container.env) ? container.env : []).forEach((e: Record<string, any>, i: number) => {
      const cm = e?.valueFrom?.configMapKeyRef;
      const sec = e?.valueFrom?.secretKeyRef;
      if (cm?.name) out.push({ kind: 'ConfigMap', name: cm.name, keys: cm.key ? [cm.key] : [], optional: cm.optional === true, path: `${path}/env/${i}/valueFrom/configMapKeyRef` });
      if (sec?.name) out.push({ kind: 'Secret', name: sec.name, keys: sec.key ? [sec.key] : [], optional: sec.optional === true, path: `${path}/env/${i}/valueFrom/secretKeyRef` });
    });
  }
  return out;
}

/** One requirement of bulwark.dev/requires-config, e.g. app-config>=2. */
export interface ConfigRequirement {
  name: string;
  op: '>=' | '>' | '<=' | '<' | '=';
  version: number;
}

/** Parses "app-config>=2, other=3" into requirements; returns the bad parts separately. */
export function parseRequiresConfig(value: string): { requirements: ConfigRequirement[]; invalid: string[] } {
  const requirements: ConfigRequirement[] = [];
  const invalid: string[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\s*(>=|<=|==|=|>|<)\s*(\d+)$/.exec(part);
    if (!m) invalid.push(part);
    else requirements.push({ name: m[1]!, op: (m[3] === '==' ? '=' : m[3]) as ConfigRequirement['op'], version: Number(m[4]) });
  }
  return { requirements, invalid };
}

/** Reports whether a version satisfies a requirement. */
export function satisfies(version: number, req: ConfigRequirement): boolean {
  switch (req.op) {
    case '>=':
      return version >= req.version;
    case '>':
      return version > req.version;
    case '<=':
      return version <= req.version;
    case '<':
      return version < req.version;
    case '=':
      return version === req.version;
  }
}
