/**
 * The end-to-end cluster fixture: etcd + kube-apiserver as local processes with a generated PKI and
 * encryption at rest, a kubeconfig, a kubectl, and a stop() that kills the processes and removes the
 * temporary directory even when start-up failed half way.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiserver, type RunningApiserver } from './apiserver.js';
import { startEtcd, type RunningEtcd } from './etcd.js';
import { buildKubeconfig } from './kubeconfig.js';
import { Kubectl } from './kubectl.js';
import type { ControlPlanePeers } from './peers.js';
import { renderEncryptionConfig, writeClusterPki, type ClusterPki } from './pki.js';
import { repoPath } from './paths.js';

/** A running test cluster. */
export interface TestCluster {
  dir: string;
  apiserverUrl: string;
  /** Undefined for an external cluster (no direct etcd access). */
  etcdUrl: string | undefined;
  kubeconfig: string;
  pki: ClusterPki | undefined;
  kubectl: Kubectl;
  peers: ControlPlanePeers | undefined;
  /** Milliseconds from start to /readyz. */
  startupMs: number;
  /** Kills the processes and removes the directory (set BULWARK_E2E_KEEP=1 to keep logs). */
  stop(): Promise<void>;
}

/** Progress lines on stderr (mocha owns stdout). */
export function progress(msg: string): void {
  process.stderr.write(`  [e2e] ${msg}\n`);
}

/** Starts a cluster; on any failure everything started so far is stopped before the error is rethrown. */
export async function startCluster(peers: ControlPlanePeers): Promise<TestCluster> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-e2e-'));
  let etcd: RunningEtcd | undefined;
  let api: RunningApiserver | undefined;
  const stop = async () => {
    await api?.process.stop();
    await etcd?.process.stop();
    if (process.env.BULWARK_E2E_KEEP === '1') progress(`kept ${dir} (logs: kube-apiserver.log, etcd.log)`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    // etcd needs no certificates (loopback, plain HTTP): start it while the PKI is generated.
    const etcdStarting = startEtcd(peers.etcd, dir).then((e) => (etcd = e));
    const pki = await writeClusterPki(dir).finally(() => etcdStarting.catch(() => undefined));
    const encryptionConfig = join(dir, 'encryption-config.yaml');
    await writeFile(encryptionConfig, renderEncryptionConfig(await readFile(repoPath('test/e2e/fixtures/encryption-config.yaml'), 'utf8')), { mode: 0o600 });
    progress(`PKI ready (${Date.now() - t0} ms)`);
    await etcdStarting;
    progress(`etcd up at ${etcd!.url} (${Date.now() - t0} ms); starting kube-apiserver`);
    api = await startApiserver(peers.kubeApiserver, dir, { etcdUrl: etcd!.url, pki, encryptionConfig });
    const startupMs = Date.now() - t0;
    progress(`kube-apiserver ready at ${api.url} (${startupMs} ms)`);
    const kubeconfig = join(dir, 'kubeconfig');
    const [cert, key] = await Promise.all([readFile(pki.adminCert, 'utf8'), readFile(pki.adminKey, 'utf8')]);
    await writeFile(kubeconfig, buildKubeconfig(api.url, pki.caPem, cert, key), { mode: 0o600 });
    return { dir, apiserverUrl: api.url, etcdUrl: etcd!.url, kubeconfig, pki, kubectl: new Kubectl(peers.kubectl, kubeconfig), peers, startupMs, stop };
  } catch (err) {
    const logs = [api?.process, etcd?.process].filter(Boolean).map((p) => `--- ${p!.name} ---\n${p!.tail(20)}`).join('\n');
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}${logs ? `\n${logs}` : ''}`);
  }
}
