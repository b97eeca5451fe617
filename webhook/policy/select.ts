/**
 * Selects the policies that apply to an object and resolves them into evaluation units by
 * precedence: cluster < environment < tenant < namespace < workload. A more specific level overrides
 * the parameters and mode of an audit rule from a broader level, but never an enforce rule: an
 * enforce rule always runs with its own parameters, so nothing below it can weaken it.
 */
import type { NamespaceInfo } from '../cluster/types.js';
import { matchesSelector } from '../tenancy/resolve.js';
import { POLICY_LEVELS, type ConfigPolicy, type PolicyLevel, type PolicyMode } from './documents.js';
import { matchesAnyGlob } from './rules/objects.js';

/** The facts about an object that policy matching looks at. */
export interface MatchTarget {
  kind: string;
  operation: string;
  namespace: string;
  namespaceInfo?: NamespaceInfo;
  environment?: string;
  tenant?: string;
  name: string;
  labels: Record<string, string>;
}

/** One rule to run: which policy it comes from, at which level, in which mode, with which parameters. */
export interface EvaluationUnit {
  policy: string;
  rule: string;
  level: PolicyLevel;
  mode: PolicyMode;
  params: Record<string, unknown> | undefined;
  /** Audit rules from broader levels that this unit replaced. */
  overrides: string[];
}

/** The name a policy is reported under: "namespace/name" when namespaced. */
export function policyName(p: ConfigPolicy): string {
  return p.metadata.namespace ? `${p.metadata.namespace}/${p.metadata.name}` : p.metadata.name;
}

/**
 * The level of a policy: spec.level, else namespace for a ConfigPolicy in a namespace other than
 * Bulwark's own, else cluster. A policy in a tenant's namespace can only sit at namespace or workload level.
 */
export function policyLevel(p: ConfigPolicy, ownNamespace: string): PolicyLevel {
  const ns = p.metadata.namespace;
  const scoped = ns !== undefined && ns !== ownNamespace;
  const level = p.spec.level ?? (scoped ? 'namespace' : 'cluster');
  if (scoped && level !== 'workload') return 'namespace';
  return level;
}

/** Reports whether a policy applies to an object. */
export function policyMatches(p: ConfigPolicy, t: MatchTarget, ownNamespace: string): boolean {
  const ns = p.metadata.namespace;
  if (ns !== undefined && ns !== ownNamespace && ns !== t.namespace) return false;
  const m = p.spec.match ?? {};
  if (m.kinds?.length && !m.kinds.includes(t.kind) && !m.kinds.includes('*')) return false;
  const ops: readonly string[] = m.operations?.length ? m.operations : ['CREATE', 'UPDATE'];
  if (!ops.includes(t.operation)) return false;
  if (m.namespaces?.length && !matchesAnyGlob(t.namespace, m.namespaces)) return false;
  if (m.namespaceSelector && !matchesSelector(m.namespaceSelector, t.namespaceInfo?.labels ?? {})) return false;
  if (m.environments?.length && !(t.environment && m.environments.includes(t.environment))) return false;
  if (m.tenants?.length && !(t.tenant && m.tenants.includes(t.tenant))) return false;
  if (m.selector && !matchesSelector(m.selector, t.labels)) return false;
  if (m.names?.length && !matchesAnyGlob(t.name, m.names)) return false;
  return true;
}

/**
 * Resolves matching policies into evaluation units. Rule references are taken in precedence order
 * (level, then policy name); each one becomes a unit, and it replaces every audit unit of the same rule
 * from a strictly broader level, inheriting their parameters under its own. Enforce units are never replaced.
 */
export function resolveUnits(policies: ConfigPolicy[], ownNamespace: string): EvaluationUnit[] {
  const refs: Array<{ p: ConfigPolicy; level: PolicyLevel; idx: number; ref: ConfigPolicy['spec']['rules'][number] }> = [];
  for (const p of policies) {
    const level = policyLevel(p, ownNamespace);
    for (const ref of p.spec.rules) refs.push({ p, level, idx: POLICY_LEVELS.indexOf(level), ref });
  }
  refs.sort((a, b) => a.idx - b.idx || policyName(a.p).localeCompare(policyName(b.p)));
  const byRule = new Map<string, Array<EvaluationUnit & { idx: number }>>();
  for (const { p, level, idx, ref } of refs) {
    const units = byRule.get(ref.rule) ?? [];
    let inherited: Record<string, unknown> | undefined;
    const overrides: string[] = [];
    const kept = units.filter((u) => {
      if (u.mode === 'audit' && u.idx < idx) {
        inherited = { ...inherited, ...u.params };
        overrides.push(u.policy, ...u.overrides);
        return false;
      }
      return true;
    });
    const params = inherited ? { ...inherited, ...ref.params } : ref.params;
    kept.push({ policy: policyName(p), rule: ref.rule, level, mode: ref.mode ?? p.spec.mode, params, overrides, idx });
    byRule.set(ref.rule, kept);
  }
  const out: EvaluationUnit[] = [];
  for (const units of byRule.values()) for (const { idx: _idx, ...u } of units) out.push(u);
  return out;
}
