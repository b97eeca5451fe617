/**
 * The sidecar's spec: the one JSON document the webhook hands to bulwark-init and bulwark-sidecar.
 * The sidecar owns this format; the webhook imports it. It never holds a credential.
 */

/** The current spec format version. */
export const SPEC_VERSION = 1;

/** The environment variable that carries the spec into the sidecar containers. */
export const SPEC_ENV = 'BULWARK_SPEC';

/** The store providers the sidecar knows (contract/store-connection.ts). */
export { PROVIDERS, type ProviderName } from '../../contract/store-connection.js';
import type { ProviderName } from '../../contract/store-connection.js';

/** Output formats of a rendered file. */
export const FORMATS = ['raw', 'json', 'yaml', 'env', 'properties'] as const;
export type FileFormat = (typeof FORMATS)[number];

/** How a store is reached and how the sidecar authenticates (credentials only by file path). */
export interface StoreSpec {
  provider: ProviderName;
  /** Base URL (vault, consul, azure, gcp) or endpoint override (aws). */
  address?: string;
  /** AWS region, or GCP project. */
  region?: string;
  project?: string;
  /** Vault namespace (enterprise / OpenBao namespaces). */
  namespace?: string;
  /** Vault KV engine version at the path's mount (1 or 2). */
  kvVersion?: 1 | 2;
  /** Path to a PEM CA bundle that signs the store's TLS certificate. */
  caFile?: string;
  /** Authentication; secrets are read from files, never carried in the spec. */
  auth?: {
    method: 'kubernetes' | 'approle' | 'token' | 'none' | 'default';
    role?: string;
    mountPath?: string;
    tokenFile?: string;
    roleIdFile?: string;
    secretIdFile?: string;
  };
  /** Path prefixes this pod's tenant may read in this store; empty means unrestricted. */
  pathPrefixes?: string[];
}

/** The largest rendered file, and the largest whole set, the sidecar writes (bytes). */
export interface SizeLimits {
  fileBytes: number;
  totalBytes: number;
}

/** Limits used when a spec carries none: half of the default 16Mi volume for the set, as two version directories coexist during a swap. */
export const DEFAULT_SIZE_LIMITS: SizeLimits = { fileBytes: 4 * 1024 * 1024, totalBytes: 8 * 1024 * 1024 };

/** One value to fetch: a path in a store, an optional key inside it and an optional pinned version. */
export interface SourceRef {
  store: string;
  path: string;
  key?: string;
  version?: string;
}

/** One file the sidecar renders into the shared volume. */
export interface FileSpec {
  name: string;
  kind: 'secret' | 'config';
  /** Sources merged in order; later wins. */
  sources: SourceRef[];
  format: FileFormat;
  /** File permission bits, e.g. 0o400. */
  mode: number;
  /** A logic-less (mustache) template over the fetched values. */
  template?: string;
  /** Name of the ConfigSchema the content must satisfy, and the JSON Schema itself. */
  schemaName?: string;
  schema?: Record<string, unknown>;
}

/** One step of the reload chain; later steps are fallbacks when an earlier one fails. */
export type ReloadStep =
  | { type: 'signal'; signal: string; process?: string }
  | { type: 'http'; url: string }
  | { type: 'restart' }
  | { type: 'none' };

/** The whole spec. */
export interface SidecarSpec {
  version: typeof SPEC_VERSION;
  pod: {
    namespace: string;
    name?: string;
    tenant?: string;
    environment?: string;
    owner?: { kind: string; name: string };
  };
  mountPath: string;
  files: FileSpec[];
  stores: Record<string, StoreSpec>;
  reload: ReloadStep[];
  refreshSeconds: number;
  health?: { url: string; timeoutSeconds: number };
  onFailure: 'keep-last-good' | 'fail';
  initOnly: boolean;
  debounceMs: number;
  fetchBudgetPerMinute?: number;
  /** Size limits of what is written (DEFAULT_SIZE_LIMITS when absent). */
  limits?: SizeLimits;
}
