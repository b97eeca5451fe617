/**
 * How a store is reached: the provider, its address, region/project/namespace, KV version, CA file
 * and auth — one JSON Schema fragment used by both the SecretStore/ClusterSecretStore documents the
 * webhook admits and the sidecar spec the sidecar acts on. Written once so that a store the webhook
 * admits always yields a spec the sidecar accepts (the two copies had drifted: namespace 256 vs 255
 * characters, pathPrefixes unbounded vs at most 64, and a pod using such a store got a 500).
 */

/** The store providers Bulwark knows. */
export const PROVIDERS = ['vault', 'consul', 'aws-ssm', 'aws-secrets-manager', 'azure-key-vault', 'gcp-secret-manager', 'kubernetes', 'file'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** At most this many path prefixes per store (own prefixes and those granted by other tenants). */
export const MAX_PATH_PREFIXES = 64;

const filePath = { type: 'string', minLength: 1, maxLength: 1024, pattern: '^/' } as const;

/** The properties describing a store connection (no credentials, only paths of credential files). */
export const STORE_CONNECTION_PROPERTIES = {
  provider: { type: 'string', enum: [...PROVIDERS] },
  address: { type: 'string', minLength: 1, maxLength: 2048 },
  region: { type: 'string', minLength: 1, maxLength: 64 },
  project: { type: 'string', minLength: 1, maxLength: 128 },
  namespace: { type: 'string', minLength: 1, maxLength: 255 },
  kvVersion: { type: 'integer', enum: [1, 2] },
  caFile: filePath,
  auth: {
    type: 'object',
    additionalProperties: false,
    required: ['method'],
    properties: {
      method: { type: 'string', enum: ['kubernetes', 'approle', 'token', 'none', 'default'] },
      role: { type: 'string', minLength: 1, maxLength: 256 },
      mountPath: { type: 'string', minLength: 1, maxLength: 256 },
      tokenFile: filePath,
      roleIdFile: filePath,
      secretIdFile: filePath,
    },
  },
} as const;

/** The tenant's path prefixes in a store. */
export const PATH_PREFIXES_SCHEMA = { type: 'array', maxItems: MAX_PATH_PREFIXES, items: { type: 'string', minLength: 1, maxLength: 512 } } as const;

/**
 * A store address with credentials in it (`https://admin:PW@vault:8200`) would be copied into every
 * injected pod's spec, readable by anyone who can get pods: the webhook refuses such a store and the
 * sidecar such a spec, without quoting the address.
 */
export function addressCredentialProblem(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/.test(address)) return undefined;
  return 'contains credentials (user:password@ or token@ before the host); store addresses are copied into every injected pod, so give the host only and let the sidecar authenticate with spec.auth';
}
