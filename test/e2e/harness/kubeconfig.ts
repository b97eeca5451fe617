/**
 * Builds the kubeconfig the tests, kubectl and the local webhook use: one cluster, one admin user
 * authenticated by client certificate, one context.
 */
import { stringify } from 'yaml';

/** Renders a kubeconfig document for the admin user. */
export function buildKubeconfig(server: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bulwark-e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
    contexts: [{ name: 'bulwark-e2e', context: { cluster: 'bulwark-e2e', user: 'admin', namespace: 'default' } }],
    'current-context': 'bulwark-e2e',
    preferences: {},
  });
}
