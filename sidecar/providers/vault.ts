/**
 * The Vault / OpenBao provider: KV v2 (versions) and v1, dynamic secrets whose leases are renewed
 * in the background, Vault namespaces (X-Vault-Namespace), TLS with a custom CA.
 * Paths are "<mount>/<path>"; a store with kvVersion 1 reads paths as they are (KV v1 and dynamic engines).
 */
import { SidecarError } from '../errors.js';
import { contentHash } from '../core/hash.js';
import { httpJson } from './http-json.js';
import { VaultAuth } from './vault-auth.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

interface VaultRead {
  data?: Record<string, unknown> & { data?: Record<string, unknown>; metadata?: { version?: number } };
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
}

interface Lease {
  value: FetchedValue;
  leaseId: string;
  expiresAt: number;
  timer?: NodeJS.Timeout;
}

/** Builds the API path of a read: KV v2 inserts "data/" after the mount and adds ?version. Pure. */
export function vaultApiPath(path: string, kvVersion: 1 | 2, version?: string): string {
  const clean = path.replace(/^\/+/, '');
  if (kvVersion === 1) return `/v1/${clean}`;
  const [mount, ...rest] = clean.split('/');
  // The API form (secret/data/app, as Vault policies and tenant prefixes write it) is used as is;
  // the logical form (secret/app, as `vault kv get` takes it) gets data/ after the mount.
  if (rest[0] === 'data') rest.shift();
  if (rest.length === 0) throw new SidecarError('NOT_FOUND', `vault path ${path} has no secret after the mount "${mount}"`);
  return `/v1/${mount}/data/${rest.join('/')}${version ? `?version=${encodeURIComponent(version)}` : ''}`;
}

/** Creates the Vault provider of a store. */
export function createVaultProvider(ctx: ProviderContext): Provider {
  const { store } = ctx;
  if (!store.address) throw new SidecarError('BAD_RESPONSE', `vault store ${ctx.storeName} needs an address`);
  const base = store.address.replace(/\/$/, '');
  const nsHeaders = (): Record<string, string> => (store.namespace ? { 'X-Vault-Namespace': store.namespace } : {});
  const auth = new VaultAuth(store, nsHeaders);
  const leases = new Map<string, Lease>();
  const kv = store.kvVersion ?? 2;

  const call = async <T>(path: string, what: string, method = 'GET', body?: unknown): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const token = await auth.get();
      try {
        const { data } = await httpJson<T>(`${base}${path}`, what, { method, body, caFile: store.caFile, headers: { ...nsHeaders(), ...(token ? { 'X-Vault-Token': token } : {}) } });
        return data;
      } catch (err) {
        if (attempt === 0 && (err as SidecarError).code === 'DENIED' && store.auth?.method !== 'token') {
          auth.invalidate();
          continue;
        }
        throw err;
      }
    }
  };

  const renew = (key: string, lease: Lease, increment: number): void => {
    const inMs = Math.max(1000, (lease.expiresAt - Date.now()) * (2 / 3));
    lease.timer = setTimeout(() => {
      call<VaultRead>('/v1/sys/leases/renew', 'vault lease renewal', 'PUT', { lease_id: lease.leaseId, increment })
        .then((r) => {
          lease.expiresAt = Date.now() + (r?.lease_duration ?? 0) * 1000;
          if ((r?.lease_duration ?? 0) > 0) renew(key, lease, increment);
        })
        .catch(() => undefined);
    }, inMs);
    lease.timer.unref();
  };

  return {
    async read(ref: ProviderRef): Promise<FetchedValue> {
      const key = `${ref.path}@${ref.version ?? ''}`;
      const lease = leases.get(key);
      if (lease && Date.now() < lease.expiresAt - 5000) return lease.value;
      if (lease?.timer) clearTimeout(lease.timer);
      leases.delete(key);
      const r = await call<VaultRead>(vaultApiPath(ref.path, kv, ref.version), `vault read ${ref.path}`);
      if (!r?.data) throw new SidecarError('BAD_RESPONSE', `vault read ${ref.path} returned no data`);
      if (kv === 2) {
        if (!r.data.data) throw new SidecarError('NOT_FOUND', `vault secret ${ref.path} is deleted or destroyed`);
        return { value: r.data.data, version: String(r.data.metadata?.version ?? '') };
      }
      const value: FetchedValue = { value: r.data, version: r.lease_id ? contentHash(r.lease_id) : contentHash(JSON.stringify(r.data)) };
      if (r.lease_id && (r.lease_duration ?? 0) > 0) {
        const l: Lease = { value, leaseId: r.lease_id, expiresAt: Date.now() + r.lease_duration! * 1000 };
        leases.set(key, l);
        if (r.renewable) renew(key, l, r.lease_duration!);
      }
      return value;
    },
    async close() {
      for (const l of leases.values()) if (l.timer) clearTimeout(l.timer);
      leases.clear();
    },
  };
}
