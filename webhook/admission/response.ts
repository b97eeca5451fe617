/**
 * The only ways to answer an admission request: allowed, denied, patched, errored; and complete(),
 * which turns a decision into a response that echoes the request uid and serialises the patch.
 */
import type { AdmissionResponse, AdmissionReview, Decision, PatchOperation } from './types.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './types.js';

/** Kubernetes truncates long warnings; Bulwark keeps each under this many characters. */
export const MAX_WARNING_LENGTH = 256;
/** At most this many warnings are returned; the last one says how many were dropped. */
export const MAX_WARNINGS = 20;

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

/** Trims warnings to what kubectl shows well: short, bounded in number, no duplicates. */
export function boundWarnings(warnings: string[]): string[] {
  const unique = [...new Set(warnings)];
  const clipped = unique.map((w) => (w.length > MAX_WARNING_LENGTH ? `${w.slice(0, MAX_WARNING_LENGTH - 3)}...` : w));
  if (clipped.length <= MAX_WARNINGS) return clipped;
  const kept = clipped.slice(0, MAX_WARNINGS - 1);
  kept.push(`${clipped.length - kept.length} more warnings not shown; run bulwark review for the full list`);
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
    response.status = { code: decision.code, reason: decision.reason, message: decision.message, status: 'Failure' };
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
