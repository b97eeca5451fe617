/**
 * Reduces rendered manifests to what must agree between the kustomize base and the Helm chart:
 * webhook rules, failure policies, timeouts, selectors and matchConditions, RBAC rules and
 * bindings, and the webhook Deployment's command, settings, probes and security context.
 * Labels, chart metadata and field order are dropped.
 */
import type { Manifest } from './render.js';

/** Sorts object keys recursively so deepEqual compares content, not order. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  }
  return v;
}

function sortedStrings(v: unknown): unknown {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v].sort() : v;
}

function selector(sel: any): unknown {
  if (!sel) return undefined;
  return canon({
    matchLabels: sel.matchLabels,
    matchExpressions: (sel.matchExpressions ?? []).map((e: any) => ({ ...e, values: sortedStrings(e.values) })),
  });
}

/** The parts of each webhook that decide what reaches Bulwark and what happens when it is down. */
export function webhookEssentials(config: Manifest): unknown[] {
  return (config.webhooks ?? []).map((w: any) =>
    canon({
      name: w.name,
      admissionReviewVersions: w.admissionReviewVersions,
      sideEffects: w.sideEffects,
      timeoutSeconds: w.timeoutSeconds,
      failurePolicy: w.failurePolicy,
      matchPolicy: w.matchPolicy,
      reinvocationPolicy: w.reinvocationPolicy,
      rules: w.rules,
      namespaceSelector: selector(w.namespaceSelector),
      objectSelector: selector(w.objectSelector),
      matchConditions: (w.matchConditions ?? []).map((c: any) => ({ name: c.name, expression: String(c.expression).replace(/\s+/g, ' ').trim() })),
      service: w.clientConfig?.service,
    }),
  );
}

/** RBAC roles (rules) and bindings (roleRef, subjects), keyed by kind/namespace/name. */
export function rbacEssentials(objects: Manifest[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (o.kind === 'ClusterRole' || o.kind === 'Role') {
      out[key] = canon((o.rules ?? []).map((r: any) => ({ ...r, verbs: sortedStrings(r.verbs), resources: sortedStrings(r.resources) })));
    } else if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
      out[key] = canon({ roleRef: o.roleRef, subjects: o.subjects });
    }
  }
  return out;
}

/** The webhook container's command, settings, probes and security, and the pod's identity and volumes. */
export function deploymentEssentials(d: Manifest): unknown {
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  const env = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? canon(e.valueFrom)]));
  return canon({
    selector: d.spec.selector,
    strategy: d.spec.strategy,
    serviceAccountName: pod.serviceAccountName,
    podSecurityContext: pod.securityContext,
    priorityClassName: pod.priorityClassName,
    args: c.args,
    env,
    ports: c.ports,
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    securityContext: c.securityContext,
    volumeMounts: c.volumeMounts,
    volumes: pod.volumes,
  });
}

/** Removes env entries the chart sets explicitly while the base relies on the webhook's defaults. */
export function withoutEnv(essentials: any, names: string[]): unknown {
  const copy = structuredClone(essentials);
  for (const n of names) delete copy.env[n];
  return copy;
}
