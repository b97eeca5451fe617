/**
 * The Azure Key Vault provider through @azure/keyvault-secrets: a secret by name, latest or a
 * version. Credential: workload identity / DefaultAzureCredential, or a bearer token from a file
 * (tests). BULWARK_AZURE_DISABLE_CHALLENGE_VERIFICATION=true disables challenge resource
 * verification (needed by lowkey-vault); caFile trusts a private CA.
 */
import { readFileSync } from 'node:fs';
import { SidecarError } from '../errors.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

/** Maps an Azure REST error to a sidecar error. */
function azureError(err: unknown, name: string): SidecarError {
  const status = (err as { statusCode?: number }).statusCode;
  const code = status === 404 ? 'NOT_FOUND' : status === 401 || status === 403 ? 'DENIED' : status !== undefined && status < 500 ? 'BAD_RESPONSE' : 'UNAVAILABLE';
  return new SidecarError(code, `Azure Key Vault secret ${name}: ${status ? `HTTP ${status}` : (err as Error).name}`, { path: name }, { cause: err });
}

/** Creates the Azure Key Vault provider of a store. */
export async function createAzureKeyVaultProvider(ctx: ProviderContext): Promise<Provider> {
  const { store } = ctx;
  if (!store.address) throw new SidecarError('BAD_RESPONSE', `azure-key-vault store ${ctx.storeName} needs the vault URL as address`);
  const { SecretClient } = await import('@azure/keyvault-secrets');
  let credential: import('@azure/core-auth').TokenCredential;
  if (store.auth?.tokenFile) {
    const file = store.auth.tokenFile;
    credential = { getToken: async () => ({ token: readFileSync(file, 'utf8').trim(), expiresOnTimestamp: Date.now() + 3600_000 }) };
  } else {
    const { DefaultAzureCredential } = await import('@azure/identity');
    credential = new DefaultAzureCredential();
  }
  const client = new SecretClient(store.address, credential, {
    disableChallengeResourceVerification: process.env.BULWARK_AZURE_DISABLE_CHALLENGE_VERIFICATION === 'true',
    ...(store.caFile ? { tlsOptions: { ca: readFileSync(store.caFile) } } : {}),
    retryOptions: { maxRetries: 1 },
  });
  return {
    async read(ref: ProviderRef): Promise<FetchedValue> {
      try {
        const s = await client.getSecret(ref.path, ref.version ? { version: ref.version } : {});
        if (s.value === undefined) throw new SidecarError('BAD_RESPONSE', `Azure Key Vault secret ${ref.path} has no value`);
        return { value: s.value, version: s.properties.version ?? '' };
      } catch (err) {
        if (err instanceof SidecarError) throw err;
        throw azureError(err, ref.path);
      }
    },
  };
}
