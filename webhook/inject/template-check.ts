/**
 * Checks the injection annotations of a workload's pod template (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob, ReplicationController) the way injection will check each pod it creates:
 * the template becomes a pod of the workload's namespace and goes through injectPod. A template whose
 * pods would be denied is reported at once, by `bulwark review` in CI and by /validate for workloads,
 * instead of failing later as pods that never get created. Pure.
 */
import type { KubeObject } from '../admission/types.js';
import { describe, podSpecOf } from '../policy/rules/objects.js';
import { ANNOTATION_INJECT, ANNOTATION_PREFIX, FILE_KINDS } from './annotations.js';
import type { InjectContext } from './context.js';
import { injectPod } from './inject-pod.js';

/** What the template's pods would meet: a denial (message and status code) or nothing, plus warnings. */
export interface TemplateCheck {
  denied?: { message: string; code: number; reason: string };
  warnings: string[];
}

/** Builds the pod a workload's template stands for (its namespace, the template's metadata and spec). */
export function podFromTemplate(workload: KubeObject, namespace: string): KubeObject | undefined {
  if (workload.kind === 'Pod') return undefined;
  const at = podSpecOf(workload);
  if (!at) return undefined;
  const metadata: Record<string, unknown> = { ...at.metadata, namespace };
  if (metadata.name === undefined && workload.metadata?.name) metadata.name = workload.metadata.name;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: at.spec } as KubeObject;
}

/**
 * Runs a workload's pod template through injection (as a CREATE; the per-pod quota of injected pods is
 * left to pod creation). Returns the denial its pods would get, prefixed with the workload, or the
 * warnings; a spec that fails the sidecar schema is the documents' fault and only a warning here.
 */
export function checkWorkloadTemplate(workload: KubeObject, ctx: InjectContext): TemplateCheck {
  const pod = podFromTemplate(workload, ctx.namespace);
  if (!pod) return { warnings: [] };
  // injection annotations on the workload itself instead of its pod template do nothing
  const own = Object.keys((workload.metadata?.annotations ?? {}) as Record<string, string>).filter((k) => k === ANNOTATION_INJECT || FILE_KINDS.some((kind) => k.startsWith(`${ANNOTATION_PREFIX}${kind}.`)));
  const misplaced = own.length
    ? [`${describe(workload)} has ${own.join(', ')} on its own metadata, where they have no effect; injection reads the pod template: move them to ${workload.kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template'}.metadata.annotations`]
    : [];
  const r = injectPod(pod, { ...ctx, operation: 'CREATE', tenantInjectedPods: undefined });
  const who = `pod template of ${describe(workload)}`;
  const warnings = [...misplaced, ...r.warnings.map((w) => `${who}: ${w}`)];
  if (r.result === 'denied') return { denied: { message: `${who}: ${r.message}`, code: r.code, reason: r.reason }, warnings };
  if (r.result === 'error') return { warnings: [...warnings, `${who}: ${r.message}`] };
  return { warnings };
}
