/**
 * The Bulwark document kinds (apiVersion bulwark.dev/v1alpha1) as TypeScript types, and the
 * set of documents in force. One JSON Schema per kind lives in ./schemas/; these types mirror them.
 */

import type { StoreSpec } from '../../sidecar/spec/types.js';

/** The apiVersion of every Bulwark document. */
export const BULWARK_API_VERSION = 'bulwark.dev/v1alpha1';
/** The API group of Bulwark's custom resources. */
export const BULWARK_GROUP = 'bulwark.dev';

/** Every kind Bulwark loads. */
export const DOCUMENT_KINDS = ['ConfigPolicy', 'ConfigSchema', 'SecretStore', 'ClusterSecretStore', 'Tenant'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Metadata of a Bulwark document. */
export interface DocumentMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes label selector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** Enforce denies; audit warns. */
export type PolicyMode = 'enforce' | 'audit';

/** Where a policy sits in the precedence order, lowest first. */
export const POLICY_LEVELS = ['cluster', 'environment', 'tenant', 'namespace', 'workload'] as const;
export type PolicyLevel = (typeof POLICY_LEVELS)[number];

/** One rule reference inside a ConfigPolicy. */
export interface RuleRef {
  /** Rule id, e.g. "schema", "immutability", "secret-leaks", "secret-hygiene", "environment", "references". */
  rule: string;
  /** Rule parameters, validated against the rule's parameter schema. */
  params?: Record<string, unknown>;
  /** Per-rule mode override. */
  mode?: PolicyMode;
}

/** A ConfigPolicy: what is enforced, where, and how strictly. */
export interface ConfigPolicy {
  apiVersion: typeof BULWARK_API_VERSION;
  kind: 'ConfigPolicy';
  metadata: DocumentMeta;
  spec: {
    mode: PolicyMode;
    level?: PolicyLevel;
    match?: {
      kinds?: string[];
      operations?: Array<'CREATE' | 'UPDATE' | 'DELETE'>;
      namespaceSelector?: LabelSelector;
      environments?: string[];
      tenants?: string[];
      selector?: LabelSelector;
      names?: string[];
      namespaces?: string[];
    };
    rules: RuleRef[];
  };
}

/** A ConfigSchema: a JSON Schema that configuration content must satisfy. */
export interface ConfigSchema {
  apiVersion: typeof BULWARK_API_VERSION;
  kind: 'ConfigSchema';
  metadata: DocumentMeta;
  spec: {
    /** The JSON Schema (draft 2020-12 subset that ajv understands). */
    schema: Record<string, unknown>;
    /** Default content format when a key's suffix does not say. */
    format?: 'json' | 'yaml' | 'properties' | 'env' | 'ini';
    description?: string;
  };
}

/** A SecretStore (namespaced) or ClusterSecretStore: a provider, its address and auth. Never credentials. */
export interface SecretStore {
  apiVersion: typeof BULWARK_API_VERSION;
  kind: 'SecretStore' | 'ClusterSecretStore';
  metadata: DocumentMeta;
  /**
   * The sidecar's store description (credentials only ever by file path); pathPrefixes and auth.role are
   * templated with {tenant} and {namespace}; volumes bring the files it names into Bulwark's containers.
   */
  spec: StoreSpec & { volumes?: StoreVolume[] };
}

/** A Secret or ConfigMap of the pod's namespace, mounted read-only into Bulwark's containers for a store's files. */
export interface StoreVolume {
  secret?: string;
  configMap?: string;
  /** Under /var/run/secrets/bulwark/. */
  mountPath: string;
  /** The pod starts even when the object is missing (Kubernetes' optional volume source). */
  optional?: boolean;
}

/** Per-tenant quotas. */
export interface TenantQuotas {
  configMaps?: number;
  secrets?: number;
  configBytes?: number;
  injectedPods?: number;
  fetchesPerMinute?: number;
}

/** A Tenant: a group of namespaces with its stores, prefixes, quotas and sharing grants. */
export interface Tenant {
  apiVersion: typeof BULWARK_API_VERSION;
  kind: 'Tenant';
  metadata: DocumentMeta;
  spec: {
    namespaces?: string[];
    namespaceSelector?: LabelSelector;
    environments?: string[];
    stores?: Array<{ name: string; pathPrefixes?: string[] }>;
    quotas?: TenantQuotas;
    grants?: Array<{
      to: string[];
      store?: string;
      paths?: string[];
      configMaps?: string[];
      description?: string;
    }>;
    /** Identities (users or groups) allowed to change a namespace's tenant or environment label. */
    labelAdmins?: { users?: string[]; groups?: string[] };
  };
}

/** Any Bulwark document. */
export type BulwarkDocument = ConfigPolicy | ConfigSchema | SecretStore | Tenant;

/** The documents in force, indexed for lookups. */
export interface DocumentSet {
  policies: ConfigPolicy[];
  schemas: Map<string, ConfigSchema>;
  /** ClusterSecretStores by name. */
  clusterStores: Map<string, SecretStore>;
  /** Namespaced SecretStores by "namespace/name". */
  stores: Map<string, SecretStore>;
  tenants: Map<string, Tenant>;
}

/** An empty document set. */
export function emptyDocumentSet(): DocumentSet {
  return { policies: [], schemas: new Map(), clusterStores: new Map(), stores: new Map(), tenants: new Map() };
}

/** Finds the store a pod in this namespace means by name: a namespaced SecretStore first, then a ClusterSecretStore. */
export function resolveStore(set: DocumentSet, namespace: string, name: string): SecretStore | undefined {
  return set.stores.get(`${namespace}/${name}`) ?? set.clusterStores.get(name);
}
