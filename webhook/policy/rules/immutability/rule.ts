/**
 * The immutability rule: managed ConfigMaps and Secrets are never edited in place. It can require
 * immutable: true, denies data changes and the removal of the managed label or of immutable on UPDATE
 * (even where Kubernetes would allow it), allows only the metadata changes policy lists, and can
 * require versioned names so that a change is a new object.
 */
import { listSome } from '../../../util/list.js';
import type { KubeObject } from '../../../admission/types.js';
import { LABEL_MANAGED } from '../../../labels.js';
import { describe, matchesAnyGlob, pointerSegment, stringMap } from '../objects.js';
import type { RuleDefinition, Violation } from '../types.js';
import { IMMUTABILITY_DEFAULTS, IMMUTABILITY_PARAMS_SCHEMA, type ImmutabilityParams } from './params.js';

const DATA_FIELDS = ['data', 'binaryData', 'stringData'] as const;

/** Enforces immutable, managed configuration. */
export const immutabilityRule: RuleDefinition<ImmutabilityParams> = {
  id: 'immutability',
  description: 'Managed ConfigMaps and Secrets are immutable: changes are new objects, never edits.',
  kinds: ['ConfigMap', 'Secret'],
  paramsSchema: IMMUTABILITY_PARAMS_SCHEMA,
  defaults: IMMUTABILITY_DEFAULTS,
  evaluate(obj, params, ctx) {
    const out: Violation[] = [];
    const who = describe(obj, ctx.kind);
    const o = obj as Record<string, unknown>;
    if (params.requireImmutable && o.immutable !== true) {
      out.push({ message: `${who} must set immutable: true; create a new object for each change instead of editing this one`, path: '/immutable' });
    }
    if (params.versionedNames) {
      const name = obj.metadata?.name;
      if (name && !namePattern(params.namePattern).test(name)) {
        out.push({
          message: `${who} must have a versioned name matching /${params.namePattern}/ (for example ${name}-v2 or ${name}-<content hash>), so that a change is a new object`,
          path: '/metadata/name',
        });
      }
    }
    const old = ctx.oldObject;
    if (ctx.operation !== 'UPDATE' || !old) return out;
    const wasManaged = params.managed === 'matched' || stringMap(old.metadata?.labels)[LABEL_MANAGED] === 'true';
    if (!wasManaged) return out;
    const labels = stringMap(obj.metadata?.labels);
    if (params.managed === 'label' && labels[LABEL_MANAGED] !== 'true') {
      out.push({ message: `${who} is managed; the label ${LABEL_MANAGED}=true cannot be removed (delete the object and create a new one instead)`, path: `/metadata/labels/${pointerSegment(LABEL_MANAGED)}` });
    }
    if ((old as Record<string, unknown>).immutable === true && o.immutable !== true) {
      out.push({ message: `${who} is immutable; immutable: true cannot be turned off (create a new object instead)`, path: '/immutable' });
    }
    for (const field of DATA_FIELDS) {
      const changed = changedKeys(stringMap((old as Record<string, unknown>)[field]), stringMap(o[field]));
      if (changed.length) {
        out.push({
          message: `${who} is managed; its ${field} cannot be edited (keys changed: ${listSome(changed)}); create a new object (for example with a new version suffix) and point workloads at it`,
          path: `/${field}`,
        });
      }
    }
    for (const field of ['labels', 'annotations'] as const) {
      const changed = changedKeys(stringMap(old.metadata?.[field]), stringMap(obj.metadata?.[field]))
        .filter((k) => k !== LABEL_MANAGED && !matchesAnyGlob(k, params.allowedMetadataChanges));
      if (changed.length) {
        out.push({
          message: `${who} is managed; ${field} ${changed.join(', ')} cannot change (policy allows only: ${params.allowedMetadataChanges.join(', ') || 'none'})`,
          path: `/metadata/${field}`,
        });
      }
    }
    return out;
  },
};

const compiled = new Map<string, RegExp>();

/** The compiled name pattern (screened by policy-patterns.ts when the policy was accepted), cached. */
function namePattern(src: string): RegExp {
  let re = compiled.get(src);
  if (!re) {
    if (compiled.size >= 64) compiled.clear();
    compiled.set(src, (re = new RegExp(src)));
  }
  return re;
}

/** Keys added, removed or changed between two string maps (names only, never values). */
function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** Exposed for the environment rule: whether an object carries the managed label. */
export function isManaged(obj: KubeObject): boolean {
  return stringMap(obj.metadata?.labels)[LABEL_MANAGED] === 'true';
}
