/**
 * The HTTP edge of one admission webhook: decode the body, check the shape of its object, run the
 * handler, always answer with an AdmissionReview. A bad body gets 400/413/415 with a clear message, a
 * malformed object a denial with code 400 naming its fields; a handler fault gets an errored review
 * (code 500) and one error log line.
 */
import type { Request, Response } from 'express';
import { DecodeError, decodeReview } from '../admission/codec.js';
import type { Handler } from '../admission/handler.js';
import { malformedObject } from '../admission/object-check.js';
import { complete, errored, review } from '../admission/response.js';
import type { AdmissionRequest, Decision } from '../admission/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';

/** Object kinds that get their own metric label value; every other kind is counted as "other". */
const KNOWN_KINDS = new Set([
  'Pod', 'ConfigMap', 'Secret', 'Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'ConfigPolicy', 'ConfigSchema', 'SecretStore', 'ClusterSecretStore', 'Tenant',
]);
const KNOWN_OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Options of an admission endpoint. */
export interface EndpointOptions {
  webhook: 'mutate' | 'validate';
  handler: Handler;
  logger: Logger;
  metrics: WebhookMetrics;
  maxJsonDepth: number;
  /** Most JSON values in a body (default DEFAULT_MAX_NODES). */
  maxJsonNodes?: number | undefined;
}

/**
 * Runs a handler on a decoded request: a malformed object is denied (400) before any stage reads it,
 * and exceptions become an errored decision. The server and `bulwark review` both come through here.
 */
export async function runHandler(handler: Handler, req: AdmissionRequest, logger: Logger): Promise<Decision> {
  const malformed = malformedObject(req);
  if (malformed) {
    logger.info('malformed admission object', {
      code: 'REVIEW_BAD_SHAPE',
      requestId: req.uid,
      kind: req.kind.kind,
      operation: req.operation,
      component: handler.name,
      problems: malformed.problems.map((p) => p.path),
    });
    return malformed.decision;
  }
  try {
    return await handler.handle(req);
  } catch (err) {
    logger.error('admission handler failed', {
      code: 'HANDLER_FAILED',
      requestId: req.uid,
      kind: req.kind.kind,
      namespace: req.namespace,
      name: req.name,
      operation: req.operation,
      error: errorMessage(err),
    });
    return errored(500, `Bulwark could not handle this request (internal error in ${handler.name}); the error was logged with requestId ${req.uid}`);
  }
}

/** Builds the express request handler of one admission webhook. */
export function admissionEndpoint(opts: EndpointOptions): (req: Request, res: Response) => Promise<void> {
  const { webhook, handler, logger, metrics } = opts;
  return async (httpReq, res) => {
    const started = process.hrtime.bigint();
    const body = Buffer.isBuffer(httpReq.body) ? httpReq.body : undefined;
    let request: AdmissionRequest;
    try {
      request = decodeReview(body, { contentType: httpReq.headers['content-type'], maxDepth: opts.maxJsonDepth, maxNodes: opts.maxJsonNodes });
    } catch (err) {
      const de = err instanceof DecodeError ? err : new DecodeError('BODY_NOT_JSON', errorMessage(err));
      logger.warn('malformed admission request', { webhook, code: de.code, error: de.message });
      metrics.admissionRequests.inc({ webhook, kind: 'unknown', operation: 'unknown', decision: 'malformed' });
      res.status(de.httpStatus).json(review(complete(de.uid ?? '', errored(de.httpStatus, de.message))));
      return;
    }
    const decision = await runHandler(handler, request, logger);
    const response = complete(request.uid, decision);
    res.status(200).json(review(response));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const verdict = decision.allowed ? (decision.patch?.length ? 'patched' : 'allowed') : decision.code >= 500 ? 'error' : 'denied';
    const kind = KNOWN_KINDS.has(request.kind.kind) ? request.kind.kind : 'other';
    const operation = KNOWN_OPERATIONS.has(request.operation) ? request.operation : 'other';
    metrics.admissionRequests.inc({ webhook, kind, operation, decision: verdict });
    metrics.admissionDuration.observe({ webhook }, seconds);
    logger.info('admission reviewed', {
      requestId: request.uid,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name ?? (request.object?.metadata?.generateName as string | undefined),
      operation: request.operation,
      user: request.userInfo.username,
      component: webhook,
      decision: verdict,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      dryRun: request.dryRun === true,
      warnings: decision.warnings?.length ?? 0,
    });
  };
}
