/**
 * The tenancy validation handler, run before the policy handler at /validate: Namespace CREATE/UPDATE
 * (who may set or change tenant and environment labels), ConfigMap/Secret CREATE/UPDATE (labels for
 * another tenant, object and byte quotas), Pod CREATE (hand-made or tampered sidecar specs) and Tenant
 * documents (grants of what the tenant does not own). All reads come from the cache; every denial
 * names the tenant and is counted in bulwark_policy_violations_total{policy="tenancy"}.
 */
import type { Handler } from '../admission/handler.js';
import { allowed, denied } from '../admission/response.js';
import type { AdmissionRequest, Decision, KubeObject } from '../admission/types.js';
import { summarize, type ClusterState, type NamespaceInfo } from '../cluster/types.js';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import { BULWARK_GROUP, type DocumentSet, type Tenant } from '../policy/documents.js';
import { validateDocument } from '../policy/validate-document.js';
import { afterGuard, guardNamespace, type NamespaceGuardOptions } from './namespace-guard.js';
import { checkNamespace } from './namespace-rules.js';
import { checkObjectLabel, checkObjectQuotas } from './object-rules.js';
import { computeUsage } from './quotas.js';
import type { SourceKeys } from './spec-carriers.js';
import { checkPodSpecs, specKeyViolation } from './spec-check.js';
import { checkTenantDocument } from './tenant-doc-rules.js';
import { DEFAULT_CLUSTER_LABEL_ADMINS, namespaceMetricLabel, tenantMetricLabel, tenantOf, type LabelAdmins } from './tenants.js';
import { formatViolations, type TenancyViolation } from './violation.js';

/** What the tenancy handler needs; docs is a getter so a hot reload takes effect on the next request. */
export interface TenancyHandlerDeps extends NamespaceGuardOptions {
  docs: () => DocumentSet;
  state: ClusterState;
  ownNamespace: string;
  metrics?: WebhookMetrics;
  logger?: Logger;
  /** Identities that act for every tenant (default: group system:masters). */
  clusterLabelAdmins?: LabelAdmins;
}

function nsInfo(obj: KubeObject): NamespaceInfo {
  return { name: String(obj.metadata?.name ?? ''), labels: { ...(obj.metadata?.labels ?? {}) }, annotations: { ...(obj.metadata?.annotations ?? {}) } };
}

/** The cache's key names of a ConfigMap or Secret in a namespace, for envFrom checks. */
function sourceKeys(state: ClusterState, namespace: string): SourceKeys {
  return (kind, name) => state.object(kind, namespace, name)?.keys;
}

/** Evaluates one request into violations (pure apart from cache reads). */
export function tenancyViolations(req: AdmissionRequest, docs: DocumentSet, state: ClusterState, ownNamespace: string, admins: LabelAdmins): TenancyViolation[] {
  if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object) return [];
  const { group, kind } = req.kind;
  const operation = req.operation;
  if (req.subResource) {
    // Debug containers arrive through pods/ephemeralcontainers: they may not carry a spec either.
    if (group !== '' || kind !== 'Pod' || req.subResource !== 'ephemeralcontainers') return [];
    const namespace = req.namespace || req.object.metadata?.namespace || '';
    if (!namespace || namespace === ownNamespace) return [];
    return checkPodSpecs(docs, req.object, namespace, tenantOf(docs, state.namespace(namespace)), { lists: ['ephemeralContainers'], sourceKeys: sourceKeys(state, namespace) });
  }
  if (group === BULWARK_GROUP) {
    // An invalid Tenant is left to the policy handler, which names its schema errors.
    if (kind !== 'Tenant') return [];
    const r = validateDocument(req.object, 'admission');
    return r.doc && !r.errors.length ? checkTenantDocument(docs, r.doc as Tenant) : [];
  }
  if (group !== '') return [];
  if (kind === 'Namespace') {
    const old = operation === 'UPDATE' && req.oldObject ? nsInfo(req.oldObject) : undefined;
    return checkNamespace(docs, { operation, old, next: nsInfo(req.object), user: req.userInfo }, admins);
  }
  const namespace = req.namespace || req.object.metadata?.namespace || '';
  if (!namespace || namespace === ownNamespace) return [];
  const tenant = tenantOf(docs, state.namespace(namespace));
  if (kind === 'Pod') return operation === 'CREATE' ? checkPodSpecs(docs, req.object, namespace, tenant, { sourceKeys: sourceKeys(state, namespace) }) : [];
  if (kind !== 'ConfigMap' && kind !== 'Secret') return [];
  const next = summarize({ ...req.object, kind, metadata: { ...req.object.metadata, namespace } });
  if (!next) return [];
  const old = req.oldObject ? summarize({ ...req.oldObject, kind, metadata: { ...req.oldObject.metadata, namespace } }) : undefined;
  const change = { operation, next, old, tenant, user: req.userInfo };
  const out = checkObjectLabel(docs, change, admins);
  const specKey = specKeyViolation(kind, namespace, next.name, next.keys, tenant);
  if (specKey) out.push(specKey);
  if (tenant && docs.tenants.get(tenant)?.spec.quotas) out.push(...checkObjectQuotas(docs, change, computeUsage(docs, state, tenant)));
  return out;
}

/** Kinds whose tenancy checks read the namespace's tenant from the cache. */
const TENANT_JUDGED_KINDS = ['Pod', 'ConfigMap', 'Secret'];

/** Creates the tenancy validation handler. */
export function createTenancyHandler(deps: TenancyHandlerDeps): Handler {
  const logger = (deps.logger ?? silentLogger).child({ component: 'tenancy' });
  const admins = deps.clusterLabelAdmins ?? DEFAULT_CLUSTER_LABEL_ADMINS;
  return {
    name: 'tenancy',
    handle(req: AdmissionRequest): Decision | Promise<Decision> {
      const judged = req.kind.group === '' && TENANT_JUDGED_KINDS.includes(req.kind.kind);
      return afterGuard(judged ? guardNamespace(req, deps.state, deps.ownNamespace, deps) : undefined, () => decide(req));
    },
  };

  function decide(req: AdmissionRequest): Decision {
    const docs = deps.docs();
    let vs: TenancyViolation[];
    try {
      vs = tenancyViolations(req, docs, deps.state, deps.ownNamespace, admins);
    } catch (err) {
      // A fault in tenancy checks must not open the boundary: deny, and say it is Bulwark's fault.
      logger.error('tenancy check failed', { requestId: req.uid, kind: req.kind.kind, error: errorMessage(err) });
      return denied(`tenancy check failed inside Bulwark: ${errorMessage(err)}`, { code: 500, reason: 'InternalError' });
    }
    if (!vs.length) return allowed();
    const namespace = req.kind.kind === 'Namespace' ? (req.name ?? req.object?.metadata?.name ?? '') : (req.namespace ?? '');
    const namespaceLabel = namespaceMetricLabel(deps.state, namespace);
    for (const v of vs) {
      deps.metrics?.policyViolations.inc({ policy: 'tenancy', rule: v.code, namespace: namespaceLabel, tenant: tenantMetricLabel(docs, v.tenant), mode: 'enforce' });
    }
    logger.info('denied by tenancy', {
      requestId: req.uid,
      kind: req.kind.kind,
      namespace,
      name: req.name ?? req.object?.metadata?.name ?? '',
      operation: req.operation,
      user: req.userInfo?.username ?? '',
      decision: 'denied',
      tenant: vs[0]!.tenant ?? '',
      codes: vs.map((v) => v.code),
    });
    return denied(formatViolations(vs));
  }
}
