/**
 * Lazy provider loading: each provider module is imported only when a store uses it, so a pod
 * pays the memory of the SDKs it needs and no more.
 */
import type { ProviderName } from '../spec/types.js';
import type { ProviderFactory } from './types.js';

type Loader = () => Promise<ProviderFactory>;

/** The dynamic-import loader of each provider module. */
export const PROVIDER_LOADERS: Record<ProviderName, Loader> = {
  file: async () => (await import('./file.js')).createFileProvider,
  kubernetes: async () => (await import('./kubernetes.js')).createKubernetesProvider,
  vault: async () => (await import('./vault.js')).createVaultProvider,
  consul: async () => (await import('./consul.js')).createConsulProvider,
  'aws-ssm': async () => (await import('./aws-ssm.js')).createSsmProvider,
  'aws-secrets-manager': async () => (await import('./aws-secrets-manager.js')).createSecretsManagerProvider,
  'azure-key-vault': async () => (await import('./azure-key-vault.js')).createAzureKeyVaultProvider,
  'gcp-secret-manager': async () => (await import('./gcp-secret-manager.js')).createGcpSecretManagerProvider,
};

/** Loads the factory of one provider by name. */
export async function loadProviderFactory(name: ProviderName): Promise<ProviderFactory> {
  const loader = PROVIDER_LOADERS[name];
  if (!loader) throw new Error(`unknown provider ${name}`);
  return loader();
}
