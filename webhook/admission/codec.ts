/**
 * Decodes an HTTP body into an admission.k8s.io/v1 AdmissionRequest, or says exactly what is wrong.
 * Nesting depth is checked on the raw bytes before parsing, so hostile input cannot stall the event loop.
 */
import { BulwarkError, type ErrorCode } from '../errors.js';
import type { AdmissionRequest, Operation } from './types.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './types.js';

/** The default maximum nesting depth of an admission body. */
export const DEFAULT_MAX_DEPTH = 100;

/** A decoding failure: the HTTP status to answer with, and the request uid when one was readable. */
export class DecodeError extends BulwarkError {
  readonly httpStatus: number;
  readonly uid: string | undefined;

  constructor(code: ErrorCode, message: string, httpStatus = 400, uid?: string) {
    super(code, message);
    this.name = 'DecodeError';
    this.httpStatus = httpStatus;
    this.uid = uid;
  }
}

const OPERATIONS: ReadonlySet<string> = new Set<Operation>(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Returns the deepest array/object nesting in a JSON text, stopping early once it exceeds max. */
export function jsonDepth(body: Buffer | string, max = Number.MAX_SAFE_INTEGER): number {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Reports whether a content-type header names JSON. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks an AdmissionReview body; throws DecodeError naming the problem. */
export function decodeReview(
  body: Buffer | string | undefined,
  opts: { contentType?: string | undefined; maxDepth?: number } = {},
): AdmissionRequest {
  if ('contentType' in opts && !isJsonContentType(opts.contentType)) {
    throw new DecodeError('CONTENT_TYPE', `content type must be application/json, got ${JSON.stringify(opts.contentType ?? '')}`, 415);
  }
  if (body === undefined || body.length === 0) throw new DecodeError('BODY_EMPTY', 'request body is empty; send an admission.k8s.io/v1 AdmissionReview');
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (jsonDepth(body, maxDepth) > maxDepth) {
    throw new DecodeError('BODY_TOO_DEEP', `request body nests deeper than ${maxDepth} levels`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new DecodeError('BODY_NOT_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new DecodeError('REVIEW_VERSION', 'request body must be a JSON object (an AdmissionReview)');
  const request = doc.request;
  const uid = isObject(request) && typeof request.uid === 'string' && request.uid ? request.uid : undefined;
  if (doc.apiVersion !== ADMISSION_API_VERSION || doc.kind !== ADMISSION_KIND) {
    throw new DecodeError(
      'REVIEW_VERSION',
      `expected apiVersion ${ADMISSION_API_VERSION} and kind ${ADMISSION_KIND}, got ${JSON.stringify(doc.apiVersion)} ${JSON.stringify(doc.kind)}; set admissionReviewVersions: ["v1"] in the webhook configuration`,
      400,
      uid,
    );
  }
  if (!isObject(request)) throw new DecodeError('REVIEW_NO_REQUEST', 'AdmissionReview has no request object');
  if (uid === undefined) throw new DecodeError('REVIEW_NO_UID', 'AdmissionReview request.uid must be a non-empty string');
  const bad = (field: string, want: string) =>
    new DecodeError('REVIEW_BAD_SHAPE', `AdmissionReview request.${field} must be ${want}`, 400, uid);
  const kind = request.kind;
  if (!isObject(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || typeof (kind.group ?? '') !== 'string') {
    throw bad('kind', 'an object with string group, version and kind');
  }
  if (typeof request.operation !== 'string' || !OPERATIONS.has(request.operation)) {
    throw bad('operation', 'one of CREATE, UPDATE, DELETE, CONNECT');
  }
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'string') throw bad(field, 'a string');
  }
  if (request.userInfo !== undefined && !isObject(request.userInfo)) throw bad('userInfo', 'an object');
  for (const field of ['object', 'oldObject'] as const) {
    const v = request[field];
    if (v !== undefined && v !== null && !isObject(v)) throw bad(field, 'an object or null');
    if (isObject(v) && v.metadata !== undefined && !isObject(v.metadata)) throw bad(`${field}.metadata`, 'an object');
  }
  if (request.dryRun !== undefined && typeof request.dryRun !== 'boolean') throw bad('dryRun', 'a boolean');
  const out = request as unknown as AdmissionRequest;
  out.kind = { group: (kind.group as string | undefined) ?? '', version: kind.version, kind: kind.kind };
  out.userInfo = (request.userInfo as AdmissionRequest['userInfo'] | undefined) ?? {};
  return out;
}
