/**
 * The validating admission handler: validates Bulwark's own kinds against their schemas, evaluates
 * the policies in force for everything else, denies on enforce failures (naming policy, rule, what is
 * wrong and how to fix it), and turns audit failures, warnings and broken policies into warnings.
 * Workloads' pod templates also go through injection (inject/template-check.ts), so a template whose
 * pods would be denied is refused up front.
 */
import type { Handler } from '../admission/handler.js';
import { allowed, denied } from '../admission/response.js';
import type { AdmissionRequest, Decision } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import { namespaceContext } from '../tenancy/resolve.js';
import { afterGuard, guardNamespace, type NamespaceGuardOptions } from '../tenancy/namespace-guard.js';
import { namespaceMetricLabel, tenantMetricLabel } from '../tenancy/tenants.js';
import { BULWARK_GROUP, type DocumentSet } from './documents.js';
import { evaluate } from './engine.js';
import { isViolation, type Finding } from './findings.js';
import { validateDocument } from './validate-document.js';
import { prepareContentSchema } from './schemas/index.js';
import { WORKLOAD_KINDS } from './rules/objects.js';
import { resolveOptions, type ServerOptions } from '../config/options.js';
import { contextFromState } from '../inject/context.js';
import { checkWorkloadTemplate, type TemplateCheck } from '../inject/template-check.js';

/** What the validation handler needs. */
export interface ValidationHandlerDeps extends NamespaceGuardOptions {
  docs: () => DocumentSet;
  state: ClusterState;
  ownNamespace: string;
  metrics?: WebhookMetrics;
  logger?: Logger;
  /** The injector's options, for checking workloads' pod templates as injection will (default: the defaults with ownNamespace). */
  options?: ServerOptions;
}

/** Workload kinds whose pod template is checked as injection will check its pods. */
const TEMPLATE_KINDS: readonly string[] = WORKLOAD_KINDS.filter((k) => k !== 'Pod');

/** Formats a finding for a denial message or a warning. */
export function describeFinding(f: Finding): string {
  const where = f.path ? ` (at ${f.path})` : '';
  return `policy ${f.policy} rule ${f.rule}: ${f.message}${where}`;
}

/**
 * Validates a Bulwark document on admission; denies it with the JSON paths of its problems. A
 * ConfigSchema's schema is compiled in a worker first, so validation finds it compiled (or refused).
 */
async function validateOwnKind(req: AdmissionRequest) {
  if (req.operation === 'DELETE' || !req.object) return allowed();
  await prepareContentSchema(req.object);
  const r = validateDocument(req.object, 'admission');
  if (!r.errors.length) return allowed();
  const what = `${req.kind.kind} ${req.namespace ? `${req.namespace}/` : ''}${req.object.metadata?.name ?? req.name ?? ''}`;
  return denied(`${what} is not a valid Bulwark document: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { code: 422, reason: 'Invalid' });
}

/** Creates the policy validation handler. */
export function createValidationHandler(deps: ValidationHandlerDeps): Handler {
  const logger = (deps.logger ?? silentLogger).child({ component: 'policy' });
  let defaultOptions: ServerOptions | undefined;
  const options = () => deps.options ?? (defaultOptions ??= { ...resolveOptions({}, {}), ownNamespace: deps.ownNamespace });
  return {
    name: 'policy',
    handle(req) {
      if (req.kind.group === BULWARK_GROUP) return validateOwnKind(req);
      return afterGuard(guardNamespace(req, deps.state, deps.ownNamespace, deps), () => decide(req));
    },
  };

  /** Runs a workload's pod template through injection: the denial its pods would get, or its warnings. */
  function templateCheck(req: AdmissionRequest, docs: DocumentSet): TemplateCheck | undefined {
    if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object || !TEMPLATE_KINDS.includes(req.kind.kind)) return undefined;
    const namespace = req.namespace || req.object.metadata?.namespace || '';
    if (!namespace) return undefined;
    const object = req.object.kind ? req.object : { ...req.object, kind: req.kind.kind };
    return checkWorkloadTemplate(object, contextFromState(deps.state, namespace, options(), docs));
  }

  function decide(req: AdmissionRequest): Decision {
    const docs = deps.docs();
    const template = templateCheck(req, docs);
    const findings = evaluate({ request: req, docs, state: deps.state, ownNamespace: deps.ownNamespace });
    const violations = findings.filter(isViolation);
    if (template?.denied) {
      logger.info('denied: pod template fails injection', { requestId: req.uid, kind: req.kind.kind, namespace: req.namespace ?? '', name: req.name ?? req.object?.metadata?.name, operation: req.operation, decision: 'denied' });
      const more = violations.filter((f) => f.result === 'fail' && f.mode === 'enforce').map(describeFinding);
      const message = more.length ? `${1 + more.length} problems: ${[template.denied.message, ...more].join('; ')}` : template.denied.message;
      return denied(message, more.length ? { warnings: template.warnings } : { code: template.denied.code, reason: template.denied.reason, warnings: template.warnings });
    }
    if (!violations.length) return allowed(template?.warnings ?? []);
    const namespace = req.namespace ?? '';
    // Metric label: a tenant with a Tenant document, "none" or "other", so cardinality stays bounded.
    const tenant = tenantMetricLabel(docs, namespace ? namespaceContext(docs, deps.state.namespace(namespace)).tenant : undefined);
    const fields = { requestId: req.uid, kind: req.kind.kind, namespace, name: req.name ?? req.object?.metadata?.name, operation: req.operation, user: req.userInfo?.username };
    const denials: string[] = [];
    const warnings: string[] = [];
    for (const f of violations) {
      deps.metrics?.policyViolations.inc({ policy: f.policy, rule: f.rule, namespace: namespaceMetricLabel(deps.state, namespace), tenant, mode: f.mode });
      const log = { ...fields, policy: f.policy, rule: f.rule, result: f.result, mode: f.mode, path: f.path, detector: f.detector };
      if (f.result === 'error') {
        logger.error('policy is broken, rule not applied', { ...log, reason: f.message });
        warnings.push(`${describeFinding(f)} (the policy is broken; the object was not checked by this rule)`);
      } else if (f.result === 'fail' && f.mode === 'enforce') {
        denials.push(describeFinding(f));
      } else {
        logger.warn(f.result === 'warn' ? 'policy warning' : 'policy audit violation', log);
        warnings.push(`${f.mode === 'audit' && f.result === 'fail' ? '[audit] ' : ''}${describeFinding(f)}`);
      }
    }
    if (denials.length) {
      logger.info('denied by policy', { ...fields, decision: 'denied', violations: denials.length });
      const head = denials.length > 1 ? `${denials.length} policy violations: ` : '';
      return denied(`${head}${denials.join('; ')}`, { warnings: [...(template?.warnings ?? []), ...warnings] });
    }
    return allowed([...(template?.warnings ?? []), ...warnings]);
  }
}
