/**
 * Problems found while turning a pod's annotations into a sidecar spec, as data: each names the
 * annotation (or pod field) at fault and says what is allowed. Every problem of a pod is collected,
 * never only the first.
 */
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { TENANCY_CODES, type TenancyCode } from '../tenancy/codes.js';

/** Any code an injection problem can carry: the shared catalogue plus its tenancy extension. */
export type InjectErrorCode = ErrorCode | TenancyCode;

/** One problem, tied to the annotation (full key) or pod field that caused it. */
export interface FieldError {
  code: InjectErrorCode;
  /** The full annotation key (bulwark.dev/...) or a pod field path such as spec.volumes. */
  field: string;
  /** What is wrong and what is allowed; never contains a secret value. */
  message: string;
}

/** Builds a field error. */
export function fieldError(code: InjectErrorCode, field: string, message: string): FieldError {
  return { code, field, message };
}

/** Formats one problem as "<field>: <message>". */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${e.message}`;
}

/** Formats every problem of a pod into one denial message; the tenant, when the pod has one, is named. */
export function formatDenial(errors: FieldError[], tenant?: string): string {
  const n = errors.length;
  const who = tenant ? ` for tenant ${tenant}` : '';
  const head = n === 1 ? `sidecar injection denied${who}` : `sidecar injection denied${who} (${n} problems)`;
  return `${head}: ${errors.map(formatFieldError).join('; ')}`;
}

/**
 * Quotes a user-supplied value for a message, shortened so a message stays readable, with the
 * userinfo of every URL in it (`scheme://user:password@`) replaced by `***@`: messages never echo credentials.
 */
export function quote(value: string, max = 80): string {
  const safe = stripUserinfo(value);
  const v = safe.length > max ? `${safe.slice(0, max - 3)}...` : safe;
  return JSON.stringify(v);
}

/** Characters that end a URL authority: `/ ? #`, quotes and whitespace. */
const AUTHORITY_END = /[/?#'"\s]/;

/** Replaces the userinfo of every `scheme://user[:password]@host` in a text with `***`; linear, no regex backtracking. */
export function stripUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let from = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    const start = at + 3;
    if (start < from) continue;
    let end = start;
    while (end < text.length && !AUTHORITY_END.test(text[end]!)) end++;
    const userinfoEnd = text.lastIndexOf('@', end - 1);
    if (userinfoEnd >= start) {
      out += `${text.slice(from, start)}***`;
      from = userinfoEnd;
    }
  }
  return out + text.slice(from);
}

/** The meaning of a code, from the shared catalogue. */
export function describeCode(code: InjectErrorCode): string {
  return code in TENANCY_CODES ? TENANCY_CODES[code as TenancyCode] : ERROR_CODES[code as ErrorCode];
}
