/**
 * The only ways to answer an admission request: allowed, denied, patched, errored; and complete(),
 * which turns a decision into a response that echoes the request uid and serialises the patch, with
 * the message and the warnings bounded to what the apiserver passes on.
 */
import { clip } from '../util/quote.js';
import type { AdmissionResponse, AdmissionReview, Decision, PatchOperation } from './types.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './types.js';

/** The apiserver truncates a warning to 256 characters once its warnings pass 4 KiB; Bulwark keeps each within it. */
export const MAX_WARNING_LENGTH = 256;
/** The apiserver ignores warnings beyond 4096 characters in all (from every webhook); Bulwark keeps its own within it. */
export const MAX_WARNINGS_TOTAL = 4096;
/** At most this many warnings are returned; the last one says how many were dropped. */
export const MAX_WARNINGS = 20;
/** The longest denial message returned; a longer one is cut, saying its length (`bulwark review` prints it whole). */
export const MAX_MESSAGE_LENGTH = 4096;

/** Allows the request, optionally with warnings. */
export function allowed(warnings: string[] = []): Decision {
  return warnings.length ? { allowed: true, warnings } : { allowed: true };
}

/** Denies the request with HTTP-style code 403 (Forbidden) unless another code is given. */
export function denied(message: string, opts: { code?: number; reason?: string; warnings?: string[] } = {}): Decision {
  const d: Decision = { allowed: false, code: opts.code ?? 403, reason: opts.reason ?? 'Forbidden', message };
  if (opts.warnings?.length) d.warnings = opts.warnings;
  return d;
}

/** Allows the request with a JSON Patch; an empty patch is a plain allow. */
export function patched(patch: PatchOperation[], warnings: string[] = []): Decision {
  const d: Decision = { allowed: true };
  if (patch.length) d.patch = patch;
  if (warnings.length) d.warnings = warnings;
  return d;
}

/** Answers a request that could not be handled: 400 for bad input, 500 for a Bulwark fault. */
export function errored(code: number, message: string): Decision {
  return { allowed: false, code, reason: code >= 500 ? 'InternalError' : 'BadRequest', message };
}

/** Control characters (newlines included) make the apiserver drop a warning: they become spaces. */
const CONTROL = /\p{Cc}/gu;

/**
 * Trims warnings to what the apiserver passes on and kubectl shows well: no duplicates, no control
 * characters, each at most MAX_WARNING_LENGTH, at most MAX_WARNINGS and MAX_WARNINGS_TOTAL characters
 * in all; the last one then says how many were dropped.
 */
export function boundWarnings(warnings: string[]): string[] {
  const lines = [...new Set(warnings)].map((w) => clip(w, MAX_WARNING_LENGTH).replace(CONTROL, ' '));
  let total = 0;
  let n = 0;
  for (; n < lines.length && n < MAX_WARNINGS && total + lines[n]!.length <= MAX_WARNINGS_TOTAL; n++) total += lines[n]!.length;
  if (n === lines.length) return lines;
  const note = (shown: number) => `${lines.length - shown} more warnings not shown; run bulwark review for the full list`;
  const kept = lines.slice(0, n);
  while (kept.length && (kept.length >= MAX_WARNINGS || total + note(kept.length).length > MAX_WARNINGS_TOTAL)) total -= kept.pop()!.length;
  kept.push(note(kept.length));
  return kept;
}

/** Turns a decision into the response for the request with this uid. */
export function complete(uid: string, decision: Decision): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (decision.allowed) {
    if (decision.patch?.length) {
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
    }
  } else {
    response.status = { code: decision.code, reason: decision.reason, message: clip(decision.message, MAX_MESSAGE_LENGTH), status: 'Failure' };
  }
  if (decision.warnings?.length) response.warnings = boundWarnings(decision.warnings);
  if (decision.auditAnnotations && Object.keys(decision.auditAnnotations).length) {
    response.auditAnnotations = decision.auditAnnotations;
  }
  return response;
}

/** Wraps a response in an AdmissionReview envelope. */
export function review(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}
