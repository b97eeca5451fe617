/**
 * The references rule: a pod (or workload template) that references ConfigMaps or Secrets, or keys
 * of them, that do not exist is denied unless the reference is optional; bulwark.dev/requires-config
 * is checked against the ConfigMap's bulwark.dev/version label. Lookups come from the cached state.
 */
import { listSome } from '../../../util/list.js';
import { quote } from '../../../inject/field-error.js';
import { ANNOTATION_REQUIRES_CONFIG, LABEL_VERSION } from '../../../labels.js';
import { WORKLOAD_KINDS, describe, podSpecOf, pointerSegment, stringMap } from '../objects.js';
import type { RuleDefinition, Violation } from '../types.js';
import { ROOT_CA_CONFIGMAP } from '../../../tenancy/quotas.js';
import { collectReferences, parseRequiresConfig, satisfies } from './collect.js';
import { REFERENCES_DEFAULTS, REFERENCES_PARAMS_SCHEMA, type ReferencesParams } from './params.js';

/** Checks that what a pod references exists, in the versions it needs. */
export const referencesRule: RuleDefinition<ReferencesParams> = {
  id: 'references',
  description: 'ConfigMaps, Secrets and keys a pod references exist (unless optional) in the versions it requires.',
  kinds: [...WORKLOAD_KINDS],
  paramsSchema: REFERENCES_PARAMS_SCHEMA,
  defaults: REFERENCES_DEFAULTS,
  evaluate(obj, params, ctx) {
    const pod = podSpecOf(obj);
    if (!pod) return [];
    if (!ctx.state.authoritative) return { skip: 'cluster state is not authoritative (no cluster or object list), references are not checked' };
    const out: Violation[] = [];
    const who = describe(obj, ctx.kind);
    const ns = ctx.namespace;
    for (const ref of collectReferences(pod)) {
      if (ref.optional) continue;
      const found = ctx.state.object(ref.kind, ns, ref.name);
      if (!found) {
        // Kubernetes publishes it in every namespace; the ServiceAccount plugin's and Bulwark's token
        // volumes reference it in every pod, before a cache may have seen it.
        if (ref.kind === 'ConfigMap' && ref.name === ROOT_CA_CONFIGMAP) continue;
        out.push({ message: `${who} references ${ref.kind} ${ns}/${ref.name}, which does not exist; create it first or mark the reference optional: true`, path: ref.path });
        continue;
      }
      if (!params.checkKeys) continue;
      const has = new Set(found.keys);
      const missing = ref.keys.filter((k) => !has.has(k));
      if (missing.length) {
        out.push({ message: `${who} references key(s) ${listSome(missing)} of ${ref.kind} ${ns}/${ref.name}, which it does not have (it has: ${listSome(found.keys) || 'none'}); add the keys or mark the reference optional: true`, path: ref.path });
      }
    }
    if (!params.checkRequiresConfig) return out;
    const sources: Array<[Record<string, any> | undefined, string]> = [[obj.metadata, '/metadata']];
    if (obj.kind !== 'Pod') sources.push([pod.metadata, pod.path.replace(/\/spec$/, '/metadata')]);
    for (const [md, base] of sources) {
      const value = stringMap(md?.annotations)[ANNOTATION_REQUIRES_CONFIG];
      if (!value) continue;
      const path = `${base}/annotations/${pointerSegment(ANNOTATION_REQUIRES_CONFIG)}`;
      const { requirements, invalid } = parseRequiresConfig(value);
      for (const bad of invalid) out.push({ message: `${who} annotation ${ANNOTATION_REQUIRES_CONFIG} has an invalid entry ${quote(bad)}; write <configmap><op><version>, e.g. app-config>=2`, path });
      for (const r of requirements) {
        const cm = ctx.state.object('ConfigMap', ns, r.name);
        const label = cm?.labels[LABEL_VERSION];
        const version = label !== undefined && /^\d+$/.test(label) ? Number(label) : undefined;
        if (!cm) out.push({ message: `${who} requires ConfigMap ${ns}/${r.name} ${r.op} ${r.version}, which does not exist; create it first`, path });
        else if (version === undefined) out.push({ message: `${who} requires ConfigMap ${ns}/${r.name} ${r.op} ${r.version}, but it has no integer ${LABEL_VERSION} label; label the ConfigMap with its version`, path });
        else if (!satisfies(version, r)) out.push({ message: `${who} requires ConfigMap ${ns}/${r.name} ${r.op} ${r.version}, but it is at version ${version}; deploy a compatible ConfigMap or change the requirement`, path });
      }
    }
    return out;
  },
};
