/**
 * The environment rule: per-environment requirements selected by the namespace label
 * bulwark.dev/environment (for example prod: immutable config, a schema for every managed ConfigMap,
 * pinned secret versions; dev: nothing).
 */
import { ANNOTATION_SCHEMA, LABEL_ENVIRONMENT, PREFIX } from '../../../labels.js';
import { isManaged } from '../immutability/rule.js';
import { WORKLOAD_KINDS, describe, matchesAnyGlob, podSpecOf, pointerSegment, stringMap } from '../objects.js';
import { parseSchemaAnnotation } from '../schema/rule.js';
import type { RuleDefinition, Violation } from '../types.js';
import { ENVIRONMENT_DEFAULTS, ENVIRONMENT_PARAMS_SCHEMA, type EnvironmentParams } from './params.js';

const SECRET_ANNOTATION = `${PREFIX}secret.`;

/** Reports whether a secret reference pins a version: <store>:<path>[#<key>]@<version>. */
export function isPinnedReference(ref: string): boolean {
  return /^[^:\s]+:[^@\s]+@[A-Za-z0-9._-]+$/.test(ref.trim());
}

/** Applies the requirements of the object's environment. */
export const environmentRule: RuleDefinition<EnvironmentParams> = {
  id: 'environment',
  description: 'Per-environment requirements: immutable config, schemas for managed ConfigMaps, pinned secret versions.',
  kinds: ['ConfigMap', 'Secret', ...WORKLOAD_KINDS],
  paramsSchema: ENVIRONMENT_PARAMS_SCHEMA,
  defaults: ENVIRONMENT_DEFAULTS,
  evaluate(obj, params, ctx) {
    const env = ctx.environment;
    const req = env ? params.environments[env] : undefined;
    if (!env || !req) return [];
    if (matchesAnyGlob(obj.metadata?.name ?? '', params.excludeNames)) return [];
    const out: Violation[] = [];
    const who = describe(obj, ctx.kind);
    const where = `in namespaces labelled ${LABEL_ENVIRONMENT}=${env}`;
    if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
      const covered = req.scope === 'all' || isManaged(obj);
      if (req.requireImmutable && covered && (obj as Record<string, unknown>).immutable !== true) {
        out.push({ message: `${who} must set immutable: true ${where}`, path: '/immutable' });
      }
      if (req.requireSchema && obj.kind === 'ConfigMap' && isManaged(obj)) {
        const named = parseSchemaAnnotation(stringMap(obj.metadata?.annotations)[ANNOTATION_SCHEMA]);
        const names = named.whole ? [named.whole] : [...named.keys.values()];
        const path = `/metadata/annotations/${pointerSegment(ANNOTATION_SCHEMA)}`;
        if (!names.length) out.push({ message: `${who} is managed and must name a ConfigSchema with the annotation ${ANNOTATION_SCHEMA} ${where}`, path });
        for (const n of names) {
          if (!ctx.schemas.has(n)) out.push({ message: `${who} names ConfigSchema "${n}", which does not exist; create it or fix ${ANNOTATION_SCHEMA} (required ${where})`, path });
        }
      }
      return out;
    }
    if (req.requirePinnedSecretVersions) {
      const pod = podSpecOf(obj);
      const md = pod?.metadata ?? {};
      const base = pod ? pod.path.replace(/\/spec$/, '/metadata') : '/metadata';
      for (const [k, v] of Object.entries(stringMap(md.annotations))) {
        if (!k.startsWith(SECRET_ANNOTATION)) continue;
        if (!isPinnedReference(v)) {
          out.push({
            message: `${who} annotation ${k} must pin a secret version ${where}: use <store>:<path>[#<key>]@<version>`,
            path: `${base}/annotations/${pointerSegment(k)}`,
          });
        }
      }
    }
    return out;
  },
};
