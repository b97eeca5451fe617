/**
 * The Consul KV provider: reads a key (version = ModifyIndex) and watches it with blocking
 * queries (index + wait), so a change arrives within one round trip. ACL token from a file.
 */
import { readFile, stat } from 'node:fs/promises';
import { SidecarError } from '../errors.js';
import { httpCall } from './http-json.js';
import { backoffDelay, sleep } from '../fallback/backoff.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

/** The shortest time between two queries of a watch that did not block (no index, or an immediate unchanged answer). */
export const MIN_CONSUL_QUERY_MS = 1000;

/** How long one blocking query waits before Consul answers unchanged. */
export const CONSUL_WAIT = '5m';

/** Creates the Consul provider of a store. */
export function createConsulProvider(ctx: ProviderContext): Provider {
  const { store } = ctx;
  const base = (store.address ?? 'http://127.0.0.1:8500').replace(/\/$/, '');
  // The ACL token file is read again when its mtime changes or after Consul refused the token (rotation).
  let token: string | undefined;
  let tokenMtime: number | undefined;
  const headers = async (): Promise<Record<string, string>> => {
    const file = store.auth?.tokenFile;
    if (file) {
      const mtime = await stat(file).then((st) => st.mtimeMs, () => undefined);
      if (token === undefined || mtime !== tokenMtime) {
        tokenMtime = mtime;
        try {
          token = (await readFile(file, 'utf8')).trim();
        } catch {
          throw new SidecarError('DENIED', `cannot read the consul ACL token file ${file}`);
        }
      }
    } else token = '';
    return { ...(token ? { 'X-Consul-Token': token } : {}), ...(store.namespace ? { 'X-Consul-Namespace': store.namespace } : {}) };
  };
  const url = (path: string, query = ''): string => `${base}/v1/kv/${path.split('/').map(encodeURIComponent).join('/')}${query}`;

  const get = async (ref: ProviderRef, index?: string, signal?: AbortSignal): Promise<{ status: number; index: string; value?: FetchedValue }> => {
    const q = index ? `?index=${index}&wait=${CONSUL_WAIT}` : '';
    const res = await httpCall(url(ref.path, q), { headers: await headers(), caFile: store.caFile, timeoutMs: index ? 6 * 60_000 : 10_000, signal });
    const newIndex = String(res.headers['x-consul-index'] ?? '');
    if (res.status === 404) return { status: 404, index: newIndex };
    if (res.status === 403 || res.status === 401) {
      token = undefined;
      throw new SidecarError('DENIED', `consul key ${ref.path}: HTTP ${res.status} (check the ACL token)`);
    }
    if (res.status !== 200) throw new SidecarError(res.status >= 500 ? 'UNAVAILABLE' : 'BAD_RESPONSE', `consul key ${ref.path}: HTTP ${res.status}`);
    let entries: Array<{ Value: string | null; ModifyIndex: number }>;
    try {
      entries = JSON.parse(res.body.toString('utf8')) as typeof entries;
    } catch {
      throw new SidecarError('BAD_RESPONSE', `consul key ${ref.path}: answer is not JSON`);
    }
    const e = entries[0];
    if (!e) return { status: 404, index: newIndex };
    return { status: 200, index: newIndex, value: { value: Buffer.from(e.Value ?? '', 'base64'), version: String(e.ModifyIndex) } };
  };

  return {
    async read(ref: ProviderRef): Promise<FetchedValue> {
      const r = await get(ref);
      if (!r.value) throw new SidecarError('NOT_FOUND', `consul key ${ref.path} does not exist`, { path: ref.path });
      return r.value;
    },
    watch(ref: ProviderRef, onChange: () => void, signal: AbortSignal): void {
      void (async () => {
        let index = '';
        let failures = 0;
        let unblocked = 0;
        while (!signal.aborted) {
          const started = Date.now();
          try {
            const r = await get(ref, index || undefined, signal);
            failures = 0;
            const n = Number(r.index);
            if (!r.index || !Number.isSafeInteger(n) || n <= 0) {
              // No usable X-Consul-Index (a proxy, an old agent): blocking is impossible, so poll with a growing delay.
              index = '';
              await sleep(backoffDelay(++unblocked, MIN_CONSUL_QUERY_MS, 30_000), signal);
              continue;
            }
            if (index && r.index !== index) onChange();
            // An unchanged answer that came back at once did not block (a proxy answering early): don't spin on it.
            const didNotBlock = r.index === index && Date.now() - started < MIN_CONSUL_QUERY_MS;
            // An index that goes backwards (snapshot restore) restarts from a plain read.
            index = n < Number(index) ? '' : r.index;
            if (didNotBlock) await sleep(backoffDelay(++unblocked, MIN_CONSUL_QUERY_MS, 30_000), signal);
            else unblocked = 0;
          } catch {
            if (signal.aborted) return;
            failures += 1;
            await sleep(backoffDelay(failures, 500, 30_000), signal);
          }
        }
      })();
    },
  };
}
