/**
 * The mutating admission handler for sidecar injection: Pod CREATE (and UPDATE, which never patches)
 * goes through injectPod; every other kind or operation is allowed untouched. Outcomes are counted in
 * bulwark_injections_total{namespace,result} and logged with fixed fields.
 */
import type { Handler } from '../admission/handler.js';
import { allowed, denied, errored, patched } from '../admission/response.js';
import type { AdmissionRequest, Decision } from '../admission/types.js';
import type { ClusterState } from '../cluster/types.js';
import type { ServerOptions } from '../config/options.js';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import type { DocumentSet } from '../policy/documents.js';
import { afterGuard, guardNamespace, type NamespaceGuardOptions } from '../tenancy/namespace-guard.js';
import { namespaceMetricLabel } from '../tenancy/tenants.js';
import { contextFromState } from './context.js';
import { injectPod, type InjectionResult } from './inject-pod.js';

/** What the injection handler needs; docs is a getter so a hot reload takes effect on the next request. */
export interface InjectionHandlerDeps extends NamespaceGuardOptions {
  options: ServerOptions;
  docs: () => DocumentSet;
  state: ClusterState;
  metrics?: WebhookMetrics;
  logger?: Logger;
}

/** Reports whether a request is for a core/v1 Pod object (not a subresource). */
function isPod(req: AdmissionRequest): boolean {
  return req.kind.kind === 'Pod' && req.kind.group === '' && !req.subResource;
}

/** Creates the handler wired at /mutate. */
export function createInjectionHandler(deps: InjectionHandlerDeps): Handler {
  const logger = (deps.logger ?? silentLogger).child({ component: 'inject' });
  return {
    name: 'inject',
    handle(req: AdmissionRequest): Decision | Promise<Decision> {
      if (!isPod(req) || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return allowed();
      const guard = req.operation === 'CREATE' && req.object ? guardNamespace(req, deps.state, deps.options.ownNamespace, deps) : undefined;
      return afterGuard(guard, () => decide(req));
    },
  };

  function decide(req: AdmissionRequest): Decision {
    const started = performance.now();
    const pod = req.object;
    const namespace = req.namespace || pod?.metadata?.namespace || 'default';
    const fields = {
      requestId: req.uid,
      kind: 'Pod',
      namespace,
      name: pod?.metadata?.name ?? pod?.metadata?.generateName ?? req.name ?? '',
      operation: req.operation,
      user: req.userInfo?.username ?? '',
    };
    const count = (result: InjectionResult['result']) => deps.metrics?.injections.inc({ namespace: namespaceMetricLabel(deps.state, namespace), result });
    if (!pod) {
      count('error');
      logger.warn('pod admission request without an object', { ...fields, decision: 'error' });
      return errored(400, 'the admission request carries no Pod object; Bulwark needs request.object to inject');
    }
    let r: InjectionResult;
    try {
      r = injectPod(pod, contextFromState(deps.state, namespace, deps.options, deps.docs(), req.operation === 'UPDATE' ? 'UPDATE' : 'CREATE'));
    } catch (err) {
      count('error');
      logger.error('sidecar injection failed', { ...fields, decision: 'error', error: errorMessage(err) });
      return errored(500, `sidecar injection failed: ${errorMessage(err)}`);
    }
    count(r.result);
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    switch (r.result) {
      case 'injected':
        logger.info('sidecar injected', { ...fields, decision: 'injected', durationMs, specHash: r.hash, native: r.native, initOnly: r.spec.initOnly, files: r.spec.files.length });
        return patched(r.patch, r.warnings);
      case 'remounted':
        logger.info('volume mounted into containers added after injection', { ...fields, decision: 'remounted', durationMs, containers: r.containers });
        return patched(r.patch, r.warnings);
      case 'skipped':
        logger.debug('sidecar injection skipped', { ...fields, decision: 'skipped', reason: r.reason, durationMs });
        return allowed(r.warnings);
      case 'denied':
        logger.info('sidecar injection denied', { ...fields, decision: 'denied', durationMs, problems: r.errors.map((e) => `${e.code} ${e.field}`) });
        return denied(r.message, { code: r.code, reason: r.reason, warnings: r.warnings });
      case 'error':
        logger.error('sidecar spec invalid', { ...fields, decision: 'error', durationMs, problems: r.problems });
        return errored(500, r.message);
    }
  }
}
