/**
 * The Google Secret Manager provider over its REST API: a secret version (or latest) of the
 * store's project. Access token from a file, from the metadata server (workload identity), or none (emulator).
 */
import { readFile } from 'node:fs/promises';
import { SidecarError } from '../errors.js';
import { httpJson } from './http-json.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

/** The public API endpoint. */
export const GCP_SM_ENDPOINT = 'https://secretmanager.googleapis.com';
const METADATA_TOKEN = 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token';

/** Builds the access URL of a secret version. Pure. */
export function gcpAccessUrl(base: string, project: string, secret: string, version?: string): string {
  return `${base.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(project)}/secrets/${encodeURIComponent(secret)}/versions/${encodeURIComponent(version ?? 'latest')}:access`;
}

/** Creates the GCP Secret Manager provider of a store. */
export function createGcpSecretManagerProvider(ctx: ProviderContext): Provider {
  const { store } = ctx;
  const project = store.project ?? store.region;
  if (!project) throw new SidecarError('BAD_RESPONSE', `gcp-secret-manager store ${ctx.storeName} needs a project`);
  let cached: { token: string; expiresAt: number } | undefined;
  const token = async (): Promise<string | undefined> => {
    const method = store.auth?.method ?? 'default';
    if (method === 'none') return undefined;
    if (store.auth?.tokenFile) return (await readFile(store.auth.tokenFile, 'utf8')).trim();
    if (cached && Date.now() < cached.expiresAt) return cached.token;
    const { data } = await httpJson<{ access_token: string; expires_in: number }>(METADATA_TOKEN, 'GCP metadata token', { headers: { 'Metadata-Flavor': 'Google' } });
    cached = { token: data.access_token, expiresAt: Date.now() + data.expires_in * 800 };
    return cached.token;
  };
  return {
    async read(ref: ProviderRef): Promise<FetchedValue> {
      const t = await token();
      const { data } = await httpJson<{ name?: string; payload?: { data?: string } }>(
        gcpAccessUrl(store.address ?? GCP_SM_ENDPOINT, project, ref.path, ref.version),
        `GCP secret ${ref.path}`,
        { headers: t ? { authorization: `Bearer ${t}` } : {}, caFile: store.caFile },
      );
      if (data?.payload?.data === undefined) throw new SidecarError('BAD_RESPONSE', `GCP secret ${ref.path} has no payload`);
      return { value: Buffer.from(data.payload.data, 'base64'), version: data.name?.split('/').pop() ?? '' };
    },
  };
}
