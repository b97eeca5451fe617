/**
 * The policy engine: a pure function from an admission request, the documents in force and the
 * cached cluster state to typed findings. No I/O, no logging; the handler and the CLI act on the result.
 */
import type { AdmissionRequest, KubeObject } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import { namespaceContext } from '../tenancy/resolve.js';
import { BULWARK_GROUP, type ConfigPolicy, type DocumentSet } from './documents.js';
import type { Finding } from './findings.js';
import { RULES, effectiveParams, validateRuleParams } from './rules/registry.js';
import type { RuleContext } from './rules/types.js';
import { policyMatches, resolveUnits, type EvaluationUnit, type MatchTarget } from './select.js';

/** Namespaces whose objects are never validated, besides Bulwark's own. */
export const EXEMPT_NAMESPACES = ['kube-system', 'kube-public'];

/** What evaluate needs: the request, the documents in force, the cached state and Bulwark's namespace. */
export interface EvaluateInput {
  request: AdmissionRequest;
  docs: DocumentSet;
  state: ClusterState;
  ownNamespace: string;
}

/** Reports whether objects in this namespace are exempt from validation. */
export function isExemptNamespace(ns: string, ownNamespace: string): boolean {
  return ns === ownNamespace || EXEMPT_NAMESPACES.includes(ns);
}

const unitCache = new WeakMap<DocumentSet, Map<string, EvaluationUnit[]>>();
const paramErrors = new WeakMap<EvaluationUnit, string[]>();

function unitsFor(docs: DocumentSet, matched: ConfigPolicy[], ownNamespace: string): EvaluationUnit[] {
  let byKey = unitCache.get(docs);
  if (!byKey) unitCache.set(docs, (byKey = new Map()));
  const key = `${ownNamespace}|${matched.map((p) => docs.policies.indexOf(p)).join(',')}`;
  let units = byKey.get(key);
  if (!units) byKey.set(key, (units = resolveUnits(matched, ownNamespace)));
  return units;
}

/** Evaluates every policy that matches the request's object and returns the findings, strongest first per problem. */
export function evaluate(input: EvaluateInput): Finding[] {
  const { request, docs, state, ownNamespace } = input;
  const raw = request.operation === 'DELETE' ? request.oldObject : request.object;
  if (!raw || request.kind.group === BULWARK_GROUP) return [];
  const kind = request.kind.kind;
  const obj: KubeObject = raw.kind ? raw : { ...raw, kind };
  const namespace = request.namespace ?? obj.metadata?.namespace ?? '';
  if (isExemptNamespace(namespace, ownNamespace)) return [];
  const namespaceInfo = namespace ? state.namespace(namespace) : undefined;
  const { tenant, environment } = namespaceContext(docs, namespaceInfo);
  const target: MatchTarget = {
    kind,
    operation: request.operation,
    namespace,
    namespaceInfo,
    environment,
    tenant,
    name: obj.metadata?.name ?? request.name ?? '',
    labels: obj.metadata?.labels ?? {},
  };
  const matched = docs.policies.filter((p) => policyMatches(p, target, ownNamespace));
  if (!matched.length) return [];
  const ctx: RuleContext = { operation: request.operation, kind, namespace, environment, tenant, schemas: docs.schemas, state };
  if (request.oldObject && request.operation === 'UPDATE') ctx.oldObject = request.oldObject;

  const findings: Finding[] = [];
  for (const unit of unitsFor(docs, matched, ownNamespace)) {
    const rule = (RULES as Record<string, (typeof RULES)[keyof typeof RULES] | undefined>)[unit.rule];
    const base = { policy: unit.policy, rule: unit.rule, mode: unit.mode, level: unit.level };
    if (!rule) {
      findings.push({ ...base, result: 'error', message: `policy ${unit.policy} names unknown rule ${unit.rule}` });
      continue;
    }
    if (!rule.kinds.includes(kind)) continue;
    let errors = paramErrors.get(unit);
    if (!errors) paramErrors.set(unit, (errors = validateRuleParams(unit.rule, unit.params ?? {})));
    if (errors.length) {
      findings.push({ ...base, result: 'error', message: `policy ${unit.policy} rule ${unit.rule} has invalid params: ${errors.join('; ')}` });
      continue;
    }
    try {
      const outcome = rule.evaluate(obj, effectiveParams(rule, unit.params), ctx);
      if (!Array.isArray(outcome)) findings.push({ ...base, result: 'skip', message: outcome.skip });
      else if (!outcome.length) findings.push({ ...base, result: 'pass', message: 'ok' });
      else {
        for (const v of outcome) {
          const f: Finding = { ...base, result: v.severity === 'warn' ? 'warn' : 'fail', message: v.message };
          if (v.path) f.path = v.path;
          if (v.detector) f.detector = v.detector;
          findings.push(f);
        }
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      findings.push({ ...base, result: 'error', message: `policy ${unit.policy} rule ${unit.rule} failed: ${msg}` });
    }
  }
  return dedupe(findings);
}

const STRENGTH: Record<string, number> = { fail: 4, error: 3, warn: 2, skip: 1, pass: 0 };

/** Merges identical findings from several policies, keeping the strongest (enforce over audit). */
function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    if (f.result === 'pass' || f.result === 'skip') {
      byKey.set(`${f.policy}|${f.rule}|${f.result}`, f);
      continue;
    }
    const key = `${f.rule}|${f.path ?? ''}|${f.message}`;
    const prev = byKey.get(key);
    if (!prev || rank(f) > rank(prev)) byKey.set(key, f);
  }
  return [...byKey.values()];
}

function rank(f: Finding): number {
  return STRENGTH[f.result]! * 2 + (f.mode === 'enforce' ? 1 : 0);
}
