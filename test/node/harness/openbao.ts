/**
 * OpenBao for the node tier: a dev server whose API the test configures on loopback (plain HTTP)
 * and whose second listener serves pods on the node's address over TLS with a certificate of a CA
 * made for the run (so the store's caFile really matters). Configured for Kubernetes auth against
 * the node tier's apiserver with a token-reviewer ServiceAccount, as a Vault operator sets it up.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCerts } from '../../../webhook/certs/generate.js';
import type { Kubectl } from '../../e2e/harness/kubectl.js';
import { freePort, waitFor } from '../../e2e/harness/net.js';
import { ManagedProcess } from '../../e2e/harness/process.js';

/** A running OpenBao. */
export interface NodeBao {
  /** Loopback API for the test (root token). */
  adminUrl: string;
  /** What pods use: https on the node address. */
  podUrl: string;
  caPem: string;
  process: ManagedProcess;
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Kills the server (an outage); start() brings a fresh one up on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

/** Starts OpenBao; configure() must be called (again after every start) before pods use it. */
export async function startNodeBao(bin: string, dir: string, nodeIp: string): Promise<NodeBao> {
  const [adminPort, podPort] = [await freePort(), await freePort()];
  const certs = generateCerts([nodeIp], { days: 2, caDays: 2 });
  await writeFile(join(dir, 'bao-tls.crt'), certs.serving.certPem);
  await writeFile(join(dir, 'bao-tls.key'), certs.serving.keyPem, { mode: 0o600 });
  await writeFile(
    join(dir, 'bao-listener.hcl'),
    `listener "tcp" {\n  address = "${nodeIp}:${podPort}"\n  tls_cert_file = "${join(dir, 'bao-tls.crt')}"\n  tls_key_file = "${join(dir, 'bao-tls.key')}"\n}\n`,
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${adminUrl}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': 'root', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`OpenBao ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
  const bao: NodeBao = {
    adminUrl,
    podUrl: `https://${nodeIp}:${podPort}`,
    caPem: certs.ca.certPem,
    process: undefined as unknown as ManagedProcess,
    api,
    async kill() {
      await bao.process.stop(2000);
    },
    async start() {
      bao.process = new ManagedProcess('openbao', bin, ['server', '-dev', '-dev-root-token-id=root', `-dev-listen-address=127.0.0.1:${adminPort}`, `-config=${join(dir, 'bao-listener.hcl')}`], join(dir, 'openbao.log'), {
        env: { ...process.env, HOME: dir },
      });
      await waitFor('OpenBao /v1/sys/health', async () => ((await fetch(`${adminUrl}/v1/sys/health`, { signal: AbortSignal.timeout(1000) })).status === 200 ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 200,
        abort: () => bao.process.exitReason(),
      });
    },
  };
  await bao.start();
  return bao;
}

/**
 * Kubernetes auth for one tenant: the auth method pointed at the apiserver (as pods see it: the
 * node address), a token reviewer ServiceAccount with system:auth-delegator, role bulwark-<tenant>
 * for ServiceAccount `app` in the given namespaces, reading secret/data/<tenant>/*.
 */
export async function configureKubernetesAuth(bao: NodeBao, kubectl: Kubectl, o: { apiserver: string; caPem: string; tenant: string; namespaces: string[] }): Promise<void> {
  await kubectl.ok(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'openbao-reviewer', namespace: 'kube-system' } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'openbao-reviewer' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
          subjects: [{ kind: 'ServiceAccount', name: 'openbao-reviewer', namespace: 'kube-system' }],
        },
      ],
    }),
  });
  const reviewer = (await kubectl.ok(['-n', 'kube-system', 'create', 'token', 'openbao-reviewer', '--duration=2h'])).trim();
  await bao.api('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  await bao.api('POST', 'auth/kubernetes/config', { kubernetes_host: o.apiserver, kubernetes_ca_cert: o.caPem, token_reviewer_jwt: reviewer, disable_local_ca_jwt: true });
  await bao.api('PUT', `sys/policies/acl/${o.tenant}`, { policy: `path "secret/data/${o.tenant}/*" { capabilities = ["read"] }\npath "secret/metadata/${o.tenant}/*" { capabilities = ["read"] }\n` });
  await bao.api('POST', `auth/kubernetes/role/bulwark-${o.tenant}`, {
    bound_service_account_names: ['app'],
    bound_service_account_namespaces: o.namespaces,
    token_policies: [o.tenant],
    token_ttl: '1h',
  });
}
