/**
 * Decodes an HTTP body into an admission.k8s.io/v1 AdmissionRequest, or says exactly what is wrong.
 * Nesting depth and the number of JSON values are checked on the raw bytes before parsing, so hostile
 * input can neither stall the event loop nor make JSON.parse build millions of objects.
 */
import { BulwarkError, type ErrorCode } from '../errors.js';
import { quote } from '../util/quote.js';
import { checkShape, REQUEST_SHAPE, typeName } from './shape.js';
import type { AdmissionRequest, Operation } from './types.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './types.js';

/** The default maximum nesting depth of an admission body (--max-json-depth). */
export const DEFAULT_MAX_DEPTH = 100;
/**
 * The default maximum number of JSON values in an admission body (--max-json-nodes). An UPDATE of a
 * ConfigMap with 75,000 keys counts about 450,000 (each key in data and in managedFields, in both the
 * object and the old object); a 6 MiB body of empty objects counts about 4,000,000.
 */
export const DEFAULT_MAX_NODES = 1_000_000;

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

/** The longest request uid answered (the apiserver sends a 36-character UUID); a longer one is not echoed. */
export const MAX_UID_LENGTH = 128;

const OPERATIONS: ReadonlySet<string> = new Set<Operation>(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** What a scan of a JSON text found: its deepest nesting and its number of values (see scanJson). */
export interface JsonScan {
  depth: number;
  nodes: number;
}

/**
 * Scans a JSON text without parsing it: the deepest array/object nesting, and the number of values,
 * counted as the `{`, `[` and `,` outside strings (each container, and each further member or item).
 * Stops as soon as either exceeds its maximum, so the work is bounded too.
 */
export function scanJson(body: Buffer | string, max: { depth?: number; nodes?: number } = {}): JsonScan {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const maxDepth = max.depth ?? Number.MAX_SAFE_INTEGER;
  const maxNodes = max.nodes ?? Number.MAX_SAFE_INTEGER;
  let depth = 0;
  let deepest = 0;
  let nodes = 0;
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
      if (++nodes > maxNodes) break;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) break;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++nodes > maxNodes) break;
  }
  return { depth: deepest, nodes };
}

/** Returns the deepest array/object nesting in a JSON text, stopping early once it exceeds max. */
export function jsonDepth(body: Buffer | string, max = Number.MAX_SAFE_INTEGER): number {
  return scanJson(body, { depth: max }).depth;
}

/**
 * The parser's complaint without any of the body: newer V8 versions quote a piece of the text
 * (`Unexpected token 'x', "{"password": "hunt"... is not valid JSON`), which may hold a secret.
 */
function parseErrorSummary(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cut = message.indexOf('"');
  return (cut < 0 ? message : message.slice(0, cut)).slice(0, 200).replace(/[\s,]+$/, '') || 'unexpected input';
}

/** Reports whether a content-type header names JSON. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** A field of the body for a message: a string quoted and bounded, anything else by its type. */
function echo(v: unknown): string {
  return typeof v === 'string' ? quote(v) : v === undefined ? 'none' : typeName(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks an AdmissionReview body; throws DecodeError naming the problem. */
export function decodeReview(
  body: Buffer | string | undefined,
  opts: { contentType?: string | undefined; maxDepth?: number; maxNodes?: number } = {},
): AdmissionRequest {
  if ('contentType' in opts && !isJsonContentType(opts.contentType)) {
    throw new DecodeError('CONTENT_TYPE', `content type must be application/json, got ${quote(opts.contentType ?? '')}`, 415);
  }
  if (body === undefined || body.length === 0) throw new DecodeError('BODY_EMPTY', 'request body is empty; send an admission.k8s.io/v1 AdmissionReview');
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxNodes = opts.maxNodes ?? DEFAULT_MAX_NODES;
  const scan = scanJson(body, { depth: maxDepth, nodes: maxNodes });
  if (scan.depth > maxDepth) {
    throw new DecodeError('BODY_TOO_DEEP', `request body nests deeper than ${maxDepth} levels (the limit set by --max-json-depth)`);
  }
  if (scan.nodes > maxNodes) {
    throw new DecodeError(
      'BODY_TOO_LARGE',
      `request body has more than ${maxNodes} JSON values (objects, arrays and their items; the limit set by --max-json-nodes, BULWARK_MAX_JSON_NODES)`,
      413,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new DecodeError('BODY_NOT_JSON', `request body is not valid JSON: ${parseErrorSummary(err)}`);
  }
  if (!isObject(doc)) throw new DecodeError('REVIEW_VERSION', 'request body must be a JSON object (an AdmissionReview)');
  const request = doc.request;
  const uid = isObject(request) && typeof request.uid === 'string' && request.uid && request.uid.length <= MAX_UID_LENGTH ? request.uid : undefined;
  if (doc.apiVersion !== ADMISSION_API_VERSION || doc.kind !== ADMISSION_KIND) {
    throw new DecodeError(
      'REVIEW_VERSION',
      `expected apiVersion ${ADMISSION_API_VERSION} and kind ${ADMISSION_KIND}, got apiVersion ${echo(doc.apiVersion)} and kind ${echo(doc.kind)}; set admissionReviewVersions: ["v1"] in the webhook configuration`,
      400,
      uid,
    );
  }
  if (!isObject(request)) throw new DecodeError('REVIEW_NO_REQUEST', 'AdmissionReview has no request object');
  if (uid === undefined) throw new DecodeError('REVIEW_NO_UID', `AdmissionReview request.uid must be a non-empty string of at most ${MAX_UID_LENGTH} characters`);
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
  const problems = checkShape(request, REQUEST_SHAPE, 'request');
  if (problems.length) throw new DecodeError('REVIEW_BAD_SHAPE', `AdmissionReview ${problems.map((p) => p.message).join('; ')}`, 400, uid);
  const out = request as unknown as AdmissionRequest;
  out.kind = { group: (kind.group as string | undefined) ?? '', version: kind.version, kind: kind.kind };
  out.userInfo = (request.userInfo as AdmissionRequest['userInfo'] | undefined) ?? {};
  return out;
}
