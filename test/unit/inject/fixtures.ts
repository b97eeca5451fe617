/**
 * Shared fixtures for the injector tests: options, documents, cluster state, pod builders, and a
 * helper that applies a patch the way the API server would (validated, on a deep clone).
 */
import jsonpatch from 'fast-json-patch';
import type { KubeObject, PatchOperation } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import { resolveOptions, type ServerOptions } from '../../../webhook/config/options.js';
import { BULWARK_API_VERSION, emptyDocumentSet, type DocumentSet, type SecretStore } from '../../../webhook/policy/documents.js';
import type { InjectContext } from '../../../webhook/inject/context.js';

/** Default options, with overrides. */
export function options(over: Partial<ServerOptions> = {}): ServerOptions {
  return { ...resolveOptions({}, {}), ...over };
}

/** A Vault ClusterSecretStore. */
export const VAULT_STORE: SecretStore = {
  apiVersion: BULWARK_API_VERSION,
  kind: 'ClusterSecretStore',
  metadata: { name: 'vault' },
  spec: {
    provider: 'vault',
    address: 'https://vault.vault.svc:8200',
    kvVersion: 2,
    caFile: '/etc/bulwark/ca.pem',
    auth: { method: 'kubernetes', role: 'app', mountPath: 'kubernetes' },
  },
};

/** A documents set with the vault ClusterSecretStore, a namespaced consul store in team-a and a schema. */
export function docs(): DocumentSet {
  const d = emptyDocumentSet();
  d.clusterStores.set('vault', VAULT_STORE);
  d.stores.set('team-a/consul', {
    apiVersion: BULWARK_API_VERSION,
    kind: 'SecretStore',
    metadata: { name: 'consul', namespace: 'team-a' },
    spec: { provider: 'consul', address: 'http://consul.consul.svc:8500', auth: { method: 'token', tokenFile: '/var/run/consul/token' } },
  });
  d.schemas.set('app-config', {
    apiVersion: BULWARK_API_VERSION,
    kind: 'ConfigSchema',
    metadata: { name: 'app-config' },
    spec: { schema: { type: 'object', required: ['port'] } },
  });
  return d;
}

/** A cluster state with namespaces team-a (opted in by label), team-b (not) and prod (tenant acme). */
export function state(version: { major: number; minor: number } | undefined = { major: 1, minor: 30 }): MemoryClusterState {
  const s = new MemoryClusterState(version ? { serverVersion: version } : {});
  s.upsert({ kind: 'Namespace', metadata: { name: 'team-a', labels: { 'bulwark.dev/inject': 'enabled' } } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'team-b', labels: {} } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'prod', labels: { 'bulwark.dev/tenant': 'acme', 'bulwark.dev/environment': 'prod' } } });
  return s;
}

/** An InjectContext for namespace ns. */
export function ctx(ns = 'team-b', over: Partial<InjectContext> = {}): InjectContext {
  const s = state();
  return { namespace: ns, namespaceInfo: s.namespace(ns), options: options(), docs: docs(), serverVersion: { major: 1, minor: 30 }, operation: 'CREATE', ...over };
}

/** A pod with the given annotations and spec. */
export function pod(annotations: Record<string, string> | undefined, spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'nginx' }] }, meta: Record<string, unknown> = {}): KubeObject {
  const metadata: Record<string, unknown> = { name: 'web', ...meta };
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** Applies a patch to a deep clone with validation, as the API server would; the input is untouched. */
export function applyPatch<T>(doc: T, patch: PatchOperation[]): T {
  const clone = structuredClone(doc);
  return jsonpatch.applyPatch(clone, patch as never, true, true).newDocument;
}

/** Finds a container by name in a patched pod. */
export function container(p: KubeObject, list: 'containers' | 'initContainers', name: string): Record<string, any> | undefined {
  const spec = p.spec as Record<string, any>;
  return (spec[list] ?? []).find((c: { name: string }) => c.name === name);
}

/** Reads an env var value from a container. */
export function env(c: Record<string, any> | undefined, name: string): Record<string, any> | undefined {
  return (c?.env ?? []).find((e: { name: string }) => e.name === name);
}
