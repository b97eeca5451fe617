/**
 * Finds every way a pod can hand a sidecar spec to a container: a literal BULWARK_SPEC (checked
 * against what injection would build), and the ways that cannot be checked at admission, which are
 * refused unless they are Bulwark's own injected containers: BULWARK_SPEC from valueFrom, envFrom that
 * can define BULWARK_SPEC, the sidecar's --spec-file flag, and containers named like Bulwark's whose
 * spec is not the one the pod's bulwark.dev/status annotation records. Init, app and ephemeral
 * containers are all looked at. Pure.
 */
import { SPEC_ENV } from '../../sidecar/spec/types.js';
import type { KubeObject } from '../admission/types.js';
import { ANNOTATION_STATUS } from '../inject/annotations.js';
import { parseStatus, specHash } from '../inject/status.js';
import { INIT_CONTAINER_NAME, SIDECAR_CONTAINER_NAME } from '../inject/targets.js';

/** The container lists of a pod spec. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
/** One container list of a pod spec. */
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** The sidecar's flag that reads the spec from a file instead of BULWARK_SPEC. */
export const SPEC_FILE_FLAG = '--spec-file';

/** Looks up the key names of a ConfigMap or Secret in the pod's namespace (from the cache), if known. */
export type SourceKeys = (kind: 'ConfigMap' | 'Secret', name: string) => readonly string[] | undefined;

/** Literal specs to check, and carriers that cannot be checked (each a sentence naming the container). */
export interface SpecCarriers {
  specs: Array<{ container: string; value: string }>;
  problems: string[];
}

interface Container {
  name?: unknown;
  env?: Array<{ name?: unknown; value?: unknown; valueFrom?: unknown }>;
  envFrom?: Array<{ prefix?: unknown; configMapRef?: { name?: unknown }; secretRef?: { name?: unknown } }>;
  args?: unknown[];
  command?: unknown[];
}

/** Lists the spec carriers of a pod, in the given container lists (all by default). */
export function findSpecCarriers(pod: KubeObject, lists: readonly ContainerList[] = CONTAINER_LISTS, sourceKeys?: SourceKeys): SpecCarriers {
  const out: SpecCarriers = { specs: [], problems: [] };
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const recorded = parseStatus(pod.metadata?.annotations?.[ANNOTATION_STATUS]);
  for (const list of lists) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as Container[]) : [];
    containers.forEach((c, i) => {
      if (!c || typeof c !== 'object') return;
      const who = `${list}[${i}] ${JSON.stringify(String(c.name ?? ''))}`;
      const literal: string[] = [];
      for (const e of Array.isArray(c.env) ? c.env : []) {
        if (e?.name !== SPEC_ENV) continue;
        if (typeof e.value === 'string' && e.valueFrom === undefined) literal.push(e.value);
        else out.problems.push(`${who} sets ${SPEC_ENV} from valueFrom, which Bulwark cannot check; only the webhook injects a spec`);
      }
      for (const ef of Array.isArray(c.envFrom) ? c.envFrom : []) out.problems.push(...envFromProblems(who, ef, sourceKeys));
      const words = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])];
      if (words.some((w) => typeof w === 'string' && w.includes(SPEC_FILE_FLAG))) {
        out.problems.push(`${who} passes ${SPEC_FILE_FLAG} (the sidecar's flag for a spec file), which Bulwark cannot check; only the webhook injects a spec`);
      }
      if (c.name === INIT_CONTAINER_NAME || c.name === SIDECAR_CONTAINER_NAME) {
        const ours = recorded !== undefined && literal.length === 1 && specHash(literal[0]!) === recorded;
        if (!ours) out.problems.push(`${who} is named like Bulwark's containers, but its ${SPEC_ENV} is not the spec the pod's ${ANNOTATION_STATUS} annotation records; rename the container or let the webhook inject it`);
      }
      for (const value of literal) out.specs.push({ container: who, value });
    });
  }
  return out;
}

function envFromProblems(who: string, ef: NonNullable<Container['envFrom']>[number], sourceKeys?: SourceKeys): string[] {
  if (!ef || typeof ef !== 'object') return [];
  const prefix = typeof ef.prefix === 'string' ? ef.prefix : '';
  const kind = ef.configMapRef ? 'ConfigMap' : ef.secretRef ? 'Secret' : undefined;
  const name = String((ef.configMapRef ?? ef.secretRef)?.name ?? '');
  if (prefix && SPEC_ENV.startsWith(prefix)) {
    return [`${who} takes envFrom ${kind ?? 'a source'} ${name} with prefix ${JSON.stringify(prefix)}, which can define ${SPEC_ENV}; choose another prefix`];
  }
  if (!prefix && kind && sourceKeys?.(kind, name)?.includes(SPEC_ENV)) {
    return [`${who} takes envFrom ${kind} ${name}, which has a key ${SPEC_ENV}; only the webhook injects a spec`];
  }
  return [];
}
