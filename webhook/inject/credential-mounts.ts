/**
 * The files Bulwark's own containers need to reach the stores, and nothing the app gets:
 *
 * - The service-account token. The ServiceAccount admission plugin runs before mutating webhooks, so
 *   containers a webhook adds never get its `kube-api-access-*` mount. When the spec needs Kubernetes
 *   credentials (the kubernetes provider, Vault/OpenBao Kubernetes auth, the restart reload), Bulwark's
 *   containers mount the pod's own token volume at the standard path when an app container has one;
 *   otherwise (automountServiceAccountToken: false) Bulwark adds a projected volume of the same shape
 *   as the plugin's: a bound token, the cluster CA from kube-root-ca.crt and the namespace. A pod
 *   with no serviceAccountName (only possible with the plugin off) cannot have a token projected:
 *   it gets a warning. Pods whose stores need no token get none.
 * - Store volumes: the Secrets and ConfigMaps a store definition names in spec.volumes (its CA, an
 *   AppRole's ids, a token file), mounted read-only into Bulwark's containers only.
 *
 * Pure: never throws for bad input, never performs I/O.
 */
import { createHash } from 'node:crypto';
import type { SidecarSpec } from '../../sidecar/spec/types.js';
import type { StoreVolume } from '../policy/documents.js';
import { STORE_VOLUME_ROOT } from '../policy/schemas/secret-store.js';
import { ROOT_CA_CONFIGMAP } from '../tenancy/quotas.js';
import type { PodSpecView } from './context.js';

/** Where Kubernetes clients (and Bulwark's containers) look for the service-account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The projected token volume Bulwark adds when the pod has none of its own. */
export const TOKEN_VOLUME_NAME = 'bulwark-kube-api-access';
/** The lifetime the ServiceAccount admission plugin requests; the kubelet refreshes the token at 80 %. */
export const TOKEN_EXPIRATION_SECONDS = 3607;
/** Prefix of the volumes that carry a store's files. */
export const STORE_VOLUME_PREFIX = 'bulwark-store-';

/** Volumes to add to the pod and the mounts of Bulwark's containers. */
export interface CredentialMounts {
  volumes: Record<string, unknown>[];
  mounts: Record<string, unknown>[];
  warnings: string[];
}

/** Reports whether the sidecar needs the pod's Kubernetes credentials for this spec. */
export function needsKubernetesToken(spec: Pick<SidecarSpec, 'stores' | 'reload'>): boolean {
  const stores = Object.values(spec.stores);
  return (
    stores.some((s) => s.provider === 'kubernetes' || (s.provider === 'vault' && s.auth?.method === 'kubernetes' && !s.auth.tokenFile)) ||
    spec.reload.some((r) => r.type === 'restart')
  );
}

interface MountView {
  name?: unknown;
  mountPath?: unknown;
}

/** The name of the volume an app container mounts at the service-account directory, if any. */
export function podTokenVolume(spec: PodSpecView): string | undefined {
  const volumes = new Set((Array.isArray(spec.volumes) ? spec.volumes : []).map((v) => (v as { name?: unknown } | null)?.name).filter((n) => typeof n === 'string'));
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const mounts: unknown = (c as { volumeMounts?: unknown } | null)?.volumeMounts;
    if (!Array.isArray(mounts)) continue;
    for (const m of mounts as MountView[]) {
      const path = typeof m?.mountPath === 'string' ? m.mountPath.replace(/\/+$/, '') : '';
      if (path === SERVICE_ACCOUNT_DIR && typeof m.name === 'string' && volumes.has(m.name)) return m.name;
    }
  }
  return undefined;
}

/** The projected volume of the same shape as the ServiceAccount admission plugin's. */
export function buildTokenVolume(): Record<string, unknown> {
  return {
    name: TOKEN_VOLUME_NAME,
    projected: {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** A DNS-label volume name for one store volume: stable for the same store and source. */
export function storeVolumeName(store: string, v: StoreVolume): string {
  const source = v.secret !== undefined ? `secret/${v.secret}` : `configmap/${v.configMap ?? ''}`;
  return `${STORE_VOLUME_PREFIX}${createHash('sha256').update(`${store}\0${source}\0${v.mountPath}`).digest('hex').slice(0, 12)}`;
}

/**
 * The pod volume for one store volume. Mode 0444: Bulwark's containers run as a non-root user and the
 * files are root-owned without an fsGroup; only Bulwark's containers mount the volume, so no app container sees them.
 */
export function buildStoreVolume(name: string, v: StoreVolume): Record<string, unknown> {
  const optional = v.optional === true ? { optional: true } : {};
  if (v.secret !== undefined) return { name, secret: { secretName: v.secret, defaultMode: 0o444, ...optional } };
  return { name, configMap: { name: v.configMap, defaultMode: 0o444, ...optional } };
}

/**
 * Plans the credential mounts for a pod: the token (when needed) and every store volume. When two
 * volumes name the same mount path, the first (stores in name order) is mounted and the rest are
 * skipped without a warning.
 */
export function planCredentialMounts(pod: PodSpecView, spec: Pick<SidecarSpec, 'stores' | 'reload'>, storeVolumes: ReadonlyMap<string, readonly StoreVolume[]>): CredentialMounts {
  const out: CredentialMounts = { volumes: [], mounts: [], warnings: [] };
  if (needsKubernetesToken(spec)) {
    const own = podTokenVolume(pod);
    const account = pod.serviceAccountName ?? pod.serviceAccount;
    if (own) out.mounts.push({ name: own, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
    else if (typeof account === 'string' && account !== '') {
      out.volumes.push(buildTokenVolume());
      out.mounts.push({ name: TOKEN_VOLUME_NAME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
    } else {
      // Only without the ServiceAccount admission plugin (it always sets serviceAccountName): the
      // apiserver refuses a token projection for a pod with no service account.
      out.warnings.push("this pod's stores need a service-account token, but the pod names no service account (is the ServiceAccount admission plugin off?); set spec.serviceAccountName, or Bulwark's containers cannot authenticate");
    }
  }
  const paths = new Set<string>();
  for (const [store, list] of [...storeVolumes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const v of list) {
      if (paths.has(v.mountPath)) continue;
      paths.add(v.mountPath);
      const name = storeVolumeName(store, v);
      out.volumes.push(buildStoreVolume(name, v));
      out.mounts.push({ name, mountPath: v.mountPath, readOnly: true });
    }
  }
  return out;
}

/**
 * Finds files a store names (caFile and auth files) that no volume of that store provides; a file under
 * /var/run/secrets/bulwark/ with no volume there is a mistake the user can fix, so the caller warns.
 */
export function unmountedStoreFiles(spec: Pick<SidecarSpec, 'stores'>, storeVolumes: ReadonlyMap<string, readonly StoreVolume[]>): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(spec.stores)) {
    const files = [s.caFile, s.auth?.tokenFile, s.auth?.roleIdFile, s.auth?.secretIdFile].filter((f): f is string => typeof f === 'string');
    const roots = (storeVolumes.get(name) ?? []).map((v) => `${v.mountPath.replace(/\/+$/, '')}/`);
    for (const f of files) {
      if (f.startsWith(STORE_VOLUME_ROOT) && !roots.some((r) => f.startsWith(r))) out.push(`store ${name}: ${f}`);
    }
  }
  return out;
}
