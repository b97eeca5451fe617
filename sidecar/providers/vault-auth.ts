/**
 * Vault / OpenBao authentication: a token from a file, AppRole (role and secret ids from files),
 * or Kubernetes (the pod's service-account token and a role). Tokens are cached until near expiry;
 * a token file is read again when its modification time changes or after the store said DENIED
 * (a rotated token, e.g. written by a Vault agent, is picked up without a restart).
 */
import { readFile, stat } from 'node:fs/promises';
import { SidecarError } from '../errors.js';
import type { StoreSpec } from '../spec/types.js';
import { httpJson } from './http-json.js';

/** The service-account token path used by Kubernetes auth by default. */
export const SA_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

async function readSecretFile(path: string | undefined, what: string): Promise<string> {
  if (!path) throw new SidecarError('DENIED', `vault auth needs ${what}; set it in the store's auth`);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    throw new SidecarError('DENIED', `cannot read ${what} file ${path}`);
  }
}

/** Logs in (or reads the token) and caches the client token until 80% of its TTL. */
export class VaultAuth {
  private token: string | undefined;
  private expiresAt = 0;
  private tokenFileMtime: number | undefined;

  /** Creates the authenticator of a store. */
  constructor(
    private readonly store: StoreSpec,
    private readonly headers: () => Record<string, string>,
  ) {}

  /** Forgets the cached token (after a 403). */
  invalidate(): void {
    this.token = undefined;
  }

  /** Returns a client token, logging in when needed. */
  async get(): Promise<string> {
    const auth = this.store.auth ?? { method: 'token' as const };
    const fromFile = (auth.method === 'token' || auth.method === 'default') && auth.tokenFile;
    const mtime = fromFile ? await stat(auth.tokenFile!).then((s) => s.mtimeMs, () => undefined) : undefined;
    if (this.token && (this.expiresAt === 0 || Date.now() < this.expiresAt) && (!fromFile || mtime === this.tokenFileMtime)) return this.token;
    if (auth.method === 'token' || auth.method === 'default') {
      this.tokenFileMtime = mtime;
      this.token = auth.tokenFile ? await readSecretFile(auth.tokenFile, 'a token') : process.env.VAULT_TOKEN;
      if (!this.token) throw new SidecarError('DENIED', 'vault token auth needs auth.tokenFile (or VAULT_TOKEN)');
      this.expiresAt = 0;
      return this.token;
    }
    if (auth.method === 'none') return '';
    let body: Record<string, string>;
    let mount: string;
    if (auth.method === 'approle') {
      body = { role_id: await readSecretFile(auth.roleIdFile, 'an AppRole role id'), secret_id: await readSecretFile(auth.secretIdFile, 'an AppRole secret id') };
      mount = auth.mountPath ?? 'approle';
    } else {
      if (!auth.role) throw new SidecarError('DENIED', 'vault kubernetes auth needs auth.role');
      body = { role: auth.role, jwt: await readSecretFile(auth.tokenFile ?? SA_TOKEN_FILE, 'a service-account token') };
      mount = auth.mountPath ?? 'kubernetes';
    }
    const url = `${this.store.address!.replace(/\/$/, '')}/v1/auth/${mount.replace(/^\/|\/$/g, '')}/login`;
    const { data } = await httpJson<{ auth?: { client_token?: string; lease_duration?: number } }>(url, `vault ${auth.method} login at ${mount}`, {
      method: 'POST',
      body,
      headers: this.headers(),
      caFile: this.store.caFile,
    });
    if (!data?.auth?.client_token) throw new SidecarError('BAD_RESPONSE', `vault ${auth.method} login returned no token`);
    this.token = data.auth.client_token;
    const ttl = data.auth.lease_duration ?? 0;
    this.expiresAt = ttl > 0 ? Date.now() + ttl * 800 : 0;
    return this.token;
  }
}
