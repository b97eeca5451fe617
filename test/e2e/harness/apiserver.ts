/**
 * Starts kube-apiserver on a free loopback port against a given etcd, with RBAC authorization, the
 * admission webhooks enabled, the ServiceAccount admission plugin disabled (no controller-manager
 * creates default service accounts in the e2e tier; the node tier turns it on) and encryption at
 * rest, and waits for /readyz.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';
import type { ClusterPki } from './pki.js';
import { ManagedProcess } from './process.js';

/** A running apiserver. */
export interface RunningApiserver {
  url: string;
  process: ManagedProcess;
}

/**
 * What changes when the cluster has a node (test/node): the apiserver listens on the node's address
 * so pods reach it through the kubernetes Service, the ServiceAccount and NodeRestriction plugins
 * are on, nodes are authorized by the Node authorizer, webhooks are dialled at their endpoints (no
 * ClusterIP routing on the apiserver's host is needed), and the apiserver authenticates to kubelets.
 */
export interface ApiserverNodeOptions {
  address: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
}

/** The flags the harness starts kube-apiserver with (exported so docs and tests can show them). */
export function apiserverArgs(o: { port: number; etcdUrl: string; pki: ClusterPki; encryptionConfig: string; certDir: string; node?: ApiserverNodeOptions }): string[] {
  const admission = o.node
    ? ['--enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook']
    : ['--enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook', '--disable-admission-plugins=ServiceAccount'];
  const node = o.node
    ? ['--enable-aggregator-routing=true', `--kubelet-client-certificate=${o.node.kubeletClientCert}`, `--kubelet-client-key=${o.node.kubeletClientKey}`, '--kubelet-preferred-address-types=InternalIP', '--allow-privileged=false']
    : [];
  return [
    `--bind-address=${o.node ? '0.0.0.0' : '127.0.0.1'}`,
    `--advertise-address=${o.node ? o.node.address : '127.0.0.1'}`,
    `--secure-port=${o.port}`,
    `--etcd-servers=${o.etcdUrl}`,
    `--cert-dir=${o.certDir}`,
    `--tls-cert-file=${o.pki.servingCert}`,
    `--tls-private-key-file=${o.pki.servingKey}`,
    `--client-ca-file=${o.pki.caCert}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${o.pki.saPublicKey}`,
    `--service-account-signing-key-file=${o.pki.saPrivateKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    `--authorization-mode=${o.node ? 'Node,RBAC' : 'RBAC'}`,
    ...admission,
    ...node,
    `--encryption-provider-config=${o.encryptionConfig}`,
    '--profiling=false',
    '--v=1',
  ];
}

/** GETs a path of the apiserver with the admin client certificate. */
export async function apiGet(url: string, pki: ClusterPki, path: string): Promise<{ status: number; body: string }> {
  const [cert, key] = await Promise.all([readFile(pki.adminCert), readFile(pki.adminKey)]);
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}${path}`, { ca: pki.caPem, cert, key, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

/** Starts kube-apiserver and waits until /readyz answers ok. */
export async function startApiserver(
  binary: string,
  dir: string,
  o: { etcdUrl: string; pki: ClusterPki; encryptionConfig: string; node?: ApiserverNodeOptions },
  timeoutMs = 90_000,
): Promise<RunningApiserver> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const args = apiserverArgs({ port, etcdUrl: o.etcdUrl, pki: o.pki, encryptionConfig: o.encryptionConfig, certDir: join(dir, 'apiserver-certs'), ...(o.node ? { node: o.node } : {}) });
  const proc = new ManagedProcess('kube-apiserver', binary, args, join(dir, 'kube-apiserver.log'));
  try {
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        const r = await apiGet(url, o.pki, '/readyz');
        if (r.status === 200) return true;
        throw new Error(`/readyz ${r.status}: ${r.body.split('\n').filter((l) => l.includes('[-]')).join('; ')}`);
      },
      { timeoutMs, intervalMs: 200, abort: () => proc.exitReason() },
    );
  } catch (err) {
    await proc.stop(); // never leave a half-started process behind
    throw err;
  }
  return { url, process: proc };
}
