/**
 * The http strategy: POSTs to the app's reload URL, retried with backoff; any 2xx is success.
 */
import { SidecarError } from '../errors.js';
import { backoffDelay, sleep } from '../fallback/backoff.js';

/** Options of the http reload. */
export interface HttpReloadOptions {
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

/** POSTs to url until a 2xx answer, up to `attempts` times; throws RELOAD_FAILED with the last status or error. */
export async function httpReload(url: string, opts: HttpReloadOptions = {}): Promise<number> {
  const attempts = opts.attempts ?? 4;
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return i;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (i < attempts) await sleep(backoffDelay(i, opts.baseDelayMs ?? 200, 5000));
  }
  throw new SidecarError('RELOAD_FAILED', `POST ${url} failed ${attempts} times, last: ${last}`, { url });
}
