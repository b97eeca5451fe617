/**
 * The tenancy extension of the error catalogue (webhook/errors.ts): one code per kind of
 * cross-tenant refusal, each with a one-line meaning. Code branches on these, never on message text.
 */

/** Tenancy codes and what they mean. */
export const TENANCY_CODES = {
  TENANT_PATH_INVALID: 'a store path uses a trick (encoding, doubled separator, dot segment, non-ASCII or look-alike character) and is refused before any prefix check',
  TENANT_PATH_FORBIDDEN: "a store path lies outside the tenant's prefixes and no grant covers it",
  TENANT_STORE_ALIAS: 'a namespaced SecretStore shadows or re-points a ClusterSecretStore without its tenant prefixes',
  TENANT_GRANT_OVERREACH: 'a path or ConfigMap goes beyond what a sharing grant covers, or a grant shares what its tenant does not own',
  TENANT_LABEL_FOREIGN: "a ConfigMap or Secret is labelled for a tenant other than its namespace's",
  TENANT_RELABEL_FORBIDDEN: "the requester may not set or change a namespace's tenant or environment label",
  TENANT_ENVIRONMENT_FORBIDDEN: 'a namespace uses an environment its Tenant does not list',
  TENANT_QUOTA_EXCEEDED: 'the request would take a tenant over one of its quotas',
  TENANT_SPEC_TAMPERED: 'a pod carries a sidecar spec that differs from what injection would build for its tenant',
} as const;

/** A tenancy code. */
export type TenancyCode = keyof typeof TENANCY_CODES;

/** Reports whether a string is a tenancy code. */
export function isTenancyCode(code: string): code is TenancyCode {
  return Object.prototype.hasOwnProperty.call(TENANCY_CODES, code);
}
