/**
 * AWS Secrets Manager: a secret's string (or binary), by version id or version stage
 * (AWSCURRENT by default); `#key` on a JSON secret is applied by the fetcher.
 */
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SidecarError } from '../errors.js';
import { awsClientConfig, awsError } from './aws-errors.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

const STAGE = /^AWS[A-Z]+$|^[A-Za-z][A-Za-z0-9_-]*$/;
const UUIDISH = /^[0-9a-f-]{32,64}$/i;

/** Splits a ref's version into VersionId (uuid-like) or VersionStage (e.g. AWSPREVIOUS). */
export function versionSelector(version: string | undefined): { VersionId?: string; VersionStage?: string } {
  if (!version) return {};
  if (UUIDISH.test(version)) return { VersionId: version };
  if (STAGE.test(version)) return { VersionStage: version };
  return { VersionId: version };
}

/** Creates the Secrets Manager provider of a store. */
export function createSecretsManagerProvider(ctx: ProviderContext): Provider {
  const client = new SecretsManagerClient(awsClientConfig(ctx.store));
  return {
    async read(ref: ProviderRef, signal?: AbortSignal): Promise<FetchedValue> {
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: ref.path, ...versionSelector(ref.version) }), { abortSignal: signal });
        const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary) : undefined);
        if (value === undefined) throw new SidecarError('BAD_RESPONSE', `secret ${ref.path} has neither a string nor a binary value`);
        return { value, version: out.VersionId ?? '' };
      } catch (err) {
        if (err instanceof SidecarError) throw err;
        throw awsError(err, 'Secrets Manager secret', ref.path);
      }
    },
    async close() {
      client.destroy();
    },
  };
}
