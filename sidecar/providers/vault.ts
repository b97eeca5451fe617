/**
 * The Vault / OpenBao provider: KV v2 (versions) and v1, dynamic secrets whose leases are renewed
 * in the background, Vault namespaces (X-Vault-Namespace), TLS with a custom CA.
 * Paths are "<mount>/<path>"; a store with kvVersion 1 reads paths as they are (KV v1 and dynamic engines).
 */
import { isUnderPrefix } from '../../contract/store-path.js';
import { SidecarError } from '../errors.js';
import { contentHash } from '../core/hash.js';
import { httpJson } from './http-json.js';
import { VaultAuth } from './vault-auth.js';
import { LeaseKeeper, type LeasedRead } from './vault-lease-keeper.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

interface VaultRead {
  data?: Record<string, unknown> & { data?: Record<string, unknown>; metadata?: { version?: number } };
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
}

const encodePath = (segments: readonly string[]): string => segments.map(encodeURIComponent).join('/');

/** Builds the API path of a read: KV v2 inserts "data/" after the mount and adds ?version; every segment is URL-encoded. Pure. */
export function vaultApiPath(path: string, kvVersion: 1 | 2, version?: string): string {
  const clean = path.replace(/^\/+/, '');
  if (kvVersion === 1) return `/v1/${encodePath(clean.split('/'))}`;
  const [mount, ...rest] = clean.split('/');
  // The API form (secret/data/app, as Vault policies and tenant prefixes write it) is used as is;
  // the logical form (secret/app, as `vault kv get` takes it) gets data/ after the mount.
  if (rest[0] === 'data') rest.shift();
  if (rest.length === 0) throw new SidecarError('NOT_FOUND', `vault path ${path} has no secret after the mount "${mount}"`);
  return `/v1/${encodePath([mount!, 'data', ...rest])}${version ? `?version=${encodeURIComponent(version)}` : ''}`;
}


/**
 * Checks the path a KV v2 read actually reaches against the tenant's prefixes (the fetcher checked
 * the path as written, before "data/" was added or taken as given). A prefix in the logical form
 * (secret/team-a) must contain the secret's logical path; one in the API form (secret/data/team-a,
 * three segments or more) its API path. So a tenant whose prefix is secret/data/ (a team called
 * "data") cannot reach secret/data/<anything> = the whole mount. Throws OUT_OF_SCOPE. Pure.
 */
export function enforceVaultScope(path: string, kvVersion: 1 | 2, prefixes: readonly string[] | undefined, storeName: string): void {
  if (kvVersion === 1 || !prefixes || prefixes.length === 0) return;
  const [mount, ...rest] = path.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (rest[0] === 'data') rest.shift();
  const logical = [mount, ...rest].join('/');
  const api = [mount, 'data', ...rest].join('/');
  const ok = prefixes.some((raw) => {
    const segments = raw.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
    return isUnderPrefix(logical, raw) || (segments.length >= 3 && segments[1] === 'data' && isUnderPrefix(api, raw));
  });
  if (!ok) {
    throw new SidecarError('OUT_OF_SCOPE', `vault path "${path}" in store ${storeName} reads ${logical} (API path ${api}), which is outside the tenant's allowed prefixes (${prefixes.join(', ')}); a tenant's own secrets are under <mount>/data/<prefix>/ in the API form`, { store: storeName, path });
  }
}

/** Creates the Vault provider of a store. */
export function createVaultProvider(ctx: ProviderContext): Provider {
  const { store } = ctx;
  if (!store.address) throw new SidecarError('BAD_RESPONSE', `vault store ${ctx.storeName} needs an address`);
  const base = store.address.replace(/\/$/, '');
  const nsHeaders = (): Record<string, string> => (store.namespace ? { 'X-Vault-Namespace': store.namespace } : {});
  const auth = new VaultAuth(store, nsHeaders);
  const kv = store.kvVersion ?? 2;

  const call = async <T>(path: string, what: string, method = 'GET', body?: unknown): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const token = await auth.get();
      try {
        const { data } = await httpJson<T>(`${base}${path}`, what, { method, body, caFile: store.caFile, headers: { ...nsHeaders(), ...(token ? { 'X-Vault-Token': token } : {}) } });
        return data;
      } catch (err) {
        if (attempt === 0 && (err as SidecarError).code === 'DENIED') {
          // Log in again, or re-read a token file that may have been rotated, and retry once.
          auth.invalidate();
          continue;
        }
        throw err;
      }
    }
  };

  const keeper = new LeaseKeeper(async (leaseId, increment) => {
    const r = await call<VaultRead>('/v1/sys/leases/renew', 'vault lease renewal', 'PUT', { lease_id: leaseId, increment });
    return { duration: r?.lease_duration ?? 0, renewable: r?.renewable ?? false };
  });

  const fetchOnce = async (ref: ProviderRef): Promise<LeasedRead> => {
    enforceVaultScope(ref.path, kv, store.pathPrefixes, ctx.storeName);
    const r = await call<VaultRead>(vaultApiPath(ref.path, kv, ref.version), `vault read ${ref.path}`);
    if (!r?.data) throw new SidecarError('BAD_RESPONSE', `vault read ${ref.path} returned no data`);
    if (kv === 2) {
      if (!r.data.data) throw new SidecarError('NOT_FOUND', `vault secret ${ref.path} is deleted or destroyed`);
      return { value: { value: r.data.data, version: String(r.data.metadata?.version ?? '') } };
    }
    // A dynamic secret's version is its lease: new credentials are a new version.
    const value: FetchedValue = { value: r.data, version: contentHash(r.lease_id || JSON.stringify(r.data)) };
    return r.lease_id ? { value, lease: { leaseId: r.lease_id, duration: r.lease_duration ?? 0, renewable: r.renewable ?? false } } : { value };
  };
  const keyOf = (ref: ProviderRef): string => `${ref.path}@${ref.version ?? ''}`;

  return {
    read: (ref: ProviderRef): Promise<FetchedValue> => keeper.read(keyOf(ref), () => fetchOnce(ref)),
    // Only dynamic engines (read as kvVersion 1) have leases whose replacement is pushed.
    ...(kv === 1 ? { watch: (ref: ProviderRef, onChange: () => void, signal: AbortSignal) => keeper.watch(keyOf(ref), onChange, signal) } : {}),
    async close() {
      keeper.close();
    },
  };
}
