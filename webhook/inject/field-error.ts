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

/** Quoting without credentials lives in util/quote.ts (policy rules use it too). */
export { quote, stripUserinfo } from '../util/quote.js';

/** The meaning of a code, from the shared catalogue. */
export function describeCode(code: InjectErrorCode): string {
  return code in TENANCY_CODES ? TENANCY_CODES[code as TenancyCode] : ERROR_CODES[code as ErrorCode];
}
