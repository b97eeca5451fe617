/**
 * Builders shared by the policy tests: admission requests, policies and cluster state as plain objects.
 */
import type { AdmissionRequest, KubeObject } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import type { ConfigPolicy } from '../../../webhook/policy/documents.js';

/** Builds an admission request for an object. */
export function request(object: KubeObject, opts: { operation?: AdmissionRequest['operation']; oldObject?: KubeObject; group?: string } = {}): AdmissionRequest {
  const kind = String(object.kind);
  const req: AdmissionRequest = {
    uid: 'uid-1',
    kind: { group: opts.group ?? (kind === 'Deployment' ? 'apps' : ''), version: 'v1', kind },
    namespace: object.metadata?.namespace,
    name: object.metadata?.name,
    operation: opts.operation ?? 'CREATE',
    userInfo: { username: 'alice' },
    object,
  };
  if (opts.oldObject) req.oldObject = opts.oldObject;
  return req;
}

/** Builds a ConfigPolicy. */
export function policy(name: string, spec: Partial<ConfigPolicy['spec']> & Pick<ConfigPolicy['spec'], 'rules'>, namespace?: string): ConfigPolicy {
  const metadata: ConfigPolicy['metadata'] = { name };
  if (namespace) metadata.namespace = namespace;
  return { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata, spec: { mode: 'enforce', ...spec } };
}

/** A cluster state with namespaces team-a (prod, tenant shop) and team-b (dev, tenant toys). */
export function state(authoritative = true): MemoryClusterState {
  const s = new MemoryClusterState({ authoritative });
  s.upsert({ kind: 'Namespace', metadata: { name: 'team-a', labels: { 'bulwark.dev/environment': 'prod', 'bulwark.dev/tenant': 'shop' } } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'team-b', labels: { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': 'toys' } } });
  s.upsert({ kind: 'Namespace', metadata: { name: 'bulwark-system', labels: {} } });
  return s;
}

/** A ConfigMap with one value under a password-like key (a secret-leaks hit). */
export function leakyConfigMap(ns = 'team-a', labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: ns, labels }, data: { DB_PASSWORD: 'qT7vN2xLp9Rz4wKm8eYc' } };
}
