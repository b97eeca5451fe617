/**
 * The throwaway PKI of an end-to-end cluster, generated in TypeScript with the project's own
 * certificate code: a cluster CA, the apiserver's serving certificate, an admin client certificate
 * (organization system:masters), the service-account signing key pair and the encryption key.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCA, generateServing } from '../../../webhook/certs/generate.js';

/** Paths of the PKI files written for one cluster. */
export interface ClusterPki {
  caCert: string;
  caPem: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  saPublicKey: string;
  saPrivateKey: string;
  /** Extra client certificates asked for by name (the node tier's kubelet, controllers, ...). */
  clients: Record<string, { cert: string; key: string; certPem: string; keyPem: string }>;
}

/** A client certificate to issue besides the admin's: user name and groups, as the apiserver reads them. */
export interface ClientIdentity {
  name: string;
  commonName: string;
  organization?: string;
}

/** The apiserver's host names and addresses (the in-cluster names included, as kubeadm does). */
export const APISERVER_HOSTS = ['127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '10.96.0.1'];

/** The admin user: any name, in group system:masters (cluster-admin through RBAC's bootstrap binding). */
export const ADMIN_USER = 'bulwark-e2e-admin';

async function put(dir: string, name: string, data: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data, { mode: 0o600 });
  return path;
}

/** Generates the PKI into dir and returns the file paths; extraHosts join the apiserver's names. */
export async function writeClusterPki(dir: string, opts: { extraHosts?: string[]; clients?: ClientIdentity[] } = {}): Promise<ClusterPki> {
  const ca = generateCA({ commonName: 'bulwark-e2e-ca', days: 2 });
  const serving = generateServing(ca, [...APISERVER_HOSTS, ...(opts.extraHosts ?? [])], { days: 2, commonName: 'kube-apiserver' });
  const clients: ClusterPki['clients'] = {};
  for (const c of opts.clients ?? []) {
    const pair = generateServing(ca, [], { days: 2, clientAuth: true, commonName: c.commonName, ...(c.organization ? { organization: c.organization } : {}) });
    clients[c.name] = { cert: await put(dir, `${c.name}.crt`, pair.certPem), key: await put(dir, `${c.name}.key`, pair.keyPem), certPem: pair.certPem, keyPem: pair.keyPem };
  }
  const admin = generateServing(ca, [], { days: 2, clientAuth: true, commonName: ADMIN_USER, organization: 'system:masters' });
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    caPem: ca.certPem,
    caCert: await put(dir, 'ca.crt', ca.certPem),
    servingCert: await put(dir, 'apiserver.crt', serving.certPem),
    servingKey: await put(dir, 'apiserver.key', serving.keyPem),
    adminCert: await put(dir, 'admin.crt', admin.certPem),
    adminKey: await put(dir, 'admin.key', admin.keyPem),
    saPublicKey: await put(dir, 'sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    saPrivateKey: await put(dir, 'sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    clients,
  };
}

/**
 * Renders the EncryptionConfiguration from the example in test/e2e/fixtures/encryption-config.yaml,
 * replacing its placeholder key with 32 fresh random bytes, so no key is ever committed or reused.
 */
export function renderEncryptionConfig(example: string): string {
  const key = randomBytes(32).toString('base64');
  const out = example.replace(/secret: \S+/g, `secret: ${key}`);
  if (out === example) throw new Error('encryption-config.yaml: no "secret:" line to replace');
  return out;
}
