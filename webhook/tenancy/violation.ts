/**
 * A tenancy refusal as data: its code, the tenant it concerns (every denial names one, or says there
 * is none) and a message that tells the user what to change.
 */
import type { TenancyCode } from './codes.js';

/** One reason a request crosses a tenant boundary. */
export interface TenancyViolation {
  code: TenancyCode;
  /** The tenant the request acts in (undefined: the namespace has none). */
  tenant: string | undefined;
  message: string;
}

/** Builds a violation. */
export function violation(code: TenancyCode, tenant: string | undefined, message: string): TenancyViolation {
  return { code, tenant, message };
}

/** Joins violations into one denial message, headed with the tenant. */
export function formatViolations(vs: TenancyViolation[]): string {
  const tenant = vs.find((v) => v.tenant)?.tenant;
  const head = tenant ? `tenancy: denied for tenant ${tenant}` : 'tenancy: denied (no tenant)';
  return `${head}: ${vs.map((v) => v.message).join('; ')}`;
}
