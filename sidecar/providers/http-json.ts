/**
 * A small JSON-over-HTTP(S) client for the REST providers (Vault, Consul, GCP): custom CA,
 * timeouts, status mapped to error codes. Bodies of error answers are never echoed (they may hold secrets).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, statSync } from 'node:fs';
import { SidecarError, codeForStatus } from '../errors.js';

/** One HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Request options. */
export interface HttpJsonOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  caFile?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest answer body read (default MAX_ANSWER_BYTES); a larger one is refused, never buffered. */
  maxBytes?: number;
}

/**
 * A store answer larger than this is refused (8 MiB: far above any secret or config a pod mounts,
 * below the 16 Mi default volume). An unbounded answer once drove the sidecar to 2.5 GB RSS and a
 * 225 MB file; now the read stops, the last good content stays, and the error says why.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

const caCache = new Map<string, { mtimeMs: number; size: number; ca: Buffer }>();

/** The CA bundle of a file, read again whenever its mtime or size changes (a rotated CA is used without a restart). */
export function loadCa(file: string): Buffer {
  const st = statSync(file);
  const cached = caCache.get(file);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.ca;
  const ca = readFileSync(file);
  caCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, ca });
  return ca;
}

/** Sends a request and resolves with the raw answer (any status); rejects with UNAVAILABLE on network errors. */
export function httpCall(url: string, opts: HttpJsonOptions = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  let ca: Buffer | undefined;
  if (opts.caFile) {
    try {
      ca = loadCa(opts.caFile);
    } catch (err) {
      return Promise.reject(new SidecarError('UNAVAILABLE', `cannot read the CA file ${opts.caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
    }
  }
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      u,
      {
        method: opts.method ?? 'GET',
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...opts.headers },
        ...(ca ? { ca } : {}),
        timeout: opts.timeoutMs ?? 10_000,
        signal: opts.signal,
      },
      (res) => {
        const max = opts.maxBytes ?? MAX_ANSWER_BYTES;
        const tooLarge = () => {
          res.destroy();
          r.destroy();
          reject(new SidecarError('TOO_LARGE', `${u.host} answered more than ${max} bytes; the answer was refused (the limit keeps one store answer from exhausting the sidecar's memory and volume)`));
        };
        if (Number(res.headers['content-length'] ?? 0) > max) return tooLarge();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) return tooLarge();
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new SidecarError('UNAVAILABLE', `${u.host} answer was cut off: ${e.message}`)));
      },
    );
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (e) => {
      // A failure (a TLS one may mean the CA was rotated) makes the next call read the CA file again.
      if (opts.caFile) caCache.delete(opts.caFile);
      reject(new SidecarError('UNAVAILABLE', `${u.protocol}//${u.host} is unreachable: ${e.message}`, {}, { cause: e }));
    });
    if (payload) r.write(payload);
    r.end();
  });
}

/** Sends a request and parses a 2xx JSON answer; other statuses throw a coded error naming `what`. */
export async function httpJson<T>(url: string, what: string, opts: HttpJsonOptions = {}): Promise<{ data: T; headers: HttpAnswer['headers'] }> {
  const res = await httpCall(url, opts);
  if (res.status < 200 || res.status >= 300) throw new SidecarError(codeForStatus(res.status), `${what}: HTTP ${res.status}`, { status: res.status });
  if (res.body.length === 0) return { data: undefined as T, headers: res.headers };
  try {
    return { data: JSON.parse(res.body.toString('utf8')) as T, headers: res.headers };
  } catch {
    throw new SidecarError('BAD_RESPONSE', `${what}: answer is not JSON`);
  }
}
