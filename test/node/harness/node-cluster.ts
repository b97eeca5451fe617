/**
 * The node tier's cluster: etcd and kube-apiserver as in the e2e tier, plus kube-controller-manager,
 * kube-scheduler, containerd with runc, the CNI bridge, kube-proxy and a kubelet, all local
 * processes on this machine, so pods really run. Images are imported into containerd from OCI
 * archives built offline (images.ts). stop() deletes the pods, stops every process, kills what a
 * crashed kubelet left running, unmounts the pod volumes and removes the directory.
 *
 * Needs root (kubelet, containerd and the CNI plugins manage cgroups, mounts and network namespaces).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startApiserver, type RunningApiserver } from '../../e2e/harness/apiserver.js';
import { progress } from '../../e2e/harness/cluster.js';
import { startEtcd, type RunningEtcd } from '../../e2e/harness/etcd.js';
import { buildKubeconfig } from '../../e2e/harness/kubeconfig.js';
import { Kubectl } from '../../e2e/harness/kubectl.js';
import { freePort, waitFor } from '../../e2e/harness/net.js';
import { renderEncryptionConfig, writeClusterPki, type ClusterPki } from '../../e2e/harness/pki.js';
import { ManagedProcess } from '../../e2e/harness/process.js';
import { repoPath } from '../../e2e/harness/paths.js';
import { buildImages, IMAGES } from './images.js';
import type { NodePeers } from './peers.js';

const run = promisify(execFile);

/** The node's name, pod network and the bridge the CNI plugin creates. */
export const NODE_NAME = 'bulwark-node';
export const POD_CIDR = '10.244.0.0/24';
export const CLUSTER_CIDR = '10.244.0.0/16';
export const BRIDGE = 'bulwark0';

/** A running cluster with one node. */
export interface NodeCluster {
  dir: string;
  apiserverUrl: string;
  /** The node's address: where pods reach the host (the apiserver and the stores the tests start). */
  nodeIp: string;
  kubeconfig: string;
  pki: ClusterPki;
  kubectl: Kubectl;
  peers: NodePeers;
  ctr(args: string[]): Promise<string>;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

/** The host's address on its default route (the node IP). */
export async function defaultRouteAddress(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'route', 'get', '1.1.1.1']);
  const m = /\bsrc\s+(\d+\.\d+\.\d+\.\d+)/.exec(stdout);
  if (!m) throw new Error(`no IPv4 source address on the default route (ip route get said: ${stdout.trim()})`);
  return m[1]!;
}

function containerdConfig(dir: string, cniBin: string): string {
  return `version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
[grpc]
  address = "${dir}/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMAGES.pause}"
  disable_apparmor = true
  # this machine's root may not lower oom_score_adj (no CAP_SYS_RESOURCE): clamp the kubelet's
  # values (-998 for sandboxes) to containerd's own, as kind does for unprivileged nodes.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBin}"
    conf_dir = "${dir}/cni/net.d"
`;
}

function cniConfig(dir: string): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'bulwark-node',
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'cni', 'ipam') },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  });
}

function kubeletConfig(o: { dir: string; caFile: string; port: number; healthzPort: number }): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: o.caFile } },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${o.dir}/containerd.sock`,
    failSwapOn: false,
    port: o.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: o.healthzPort,
    staticPodPath: '',
    resolvConf: '/etc/resolv.conf',
    serializeImagePulls: false,
    // The images exist only in containerd's store: never let garbage collection or eviction take them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    protectKernelDefaults: false,
    // Pods in the tests stop quickly; the API object goes away once kubelet confirms.
    shutdownGracePeriod: '0s',
    maxPods: 50,
  });
}

async function sysctl(key: string, value: string): Promise<void> {
  const path = `/proc/sys/${key.replace(/\./g, '/')}`;
  if (!existsSync(path)) return;
  if (readFileSync(path, 'utf8').trim() !== value) await writeFile(path, value);
}

/** Starts the whole cluster; on failure everything started so far is stopped and the logs are quoted. */
export async function startNodeCluster(peers: NodePeers): Promise<NodeCluster> {
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-node-'));
  const procs: ManagedProcess[] = [];
  let etcd: RunningEtcd | undefined;
  let api: RunningApiserver | undefined;
  let kubectl: Kubectl | undefined;
  const ctr = async (args: string[]) => (await run(peers.ctr, ['--address', join(dir, 'containerd.sock'), '-n', 'k8s.io', ...args], { maxBuffer: 16 << 20 })).stdout;
  const stop = async () => {
    if (kubectl && api && !api.process.exitReason()) {
      // let kubelet stop every pod the way it would on a real node
      await kubectl.run(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 }).catch(() => undefined);
    }
    for (const p of [...procs].reverse()) if (p.name !== 'containerd') await p.stop();
    await cleanupContainers(ctr).catch(() => undefined);
    for (const p of procs) if (p.name === 'containerd') await p.stop();
    await api?.process.stop();
    await etcd?.process.stop();
    await unmountUnder(dir);
    if (process.env.BULWARK_E2E_KEEP === '1') progress(`kept ${dir} (logs: *.log)`);
    else await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    if (process.getuid?.() !== 0) throw new Error('the node tier needs root (kubelet, containerd and CNI manage cgroups, mounts and network namespaces)');
    const nodeIp = await defaultRouteAddress();
    await sysctl('net.ipv4.ip_forward', '1');
    await sysctl('net.bridge.bridge-nf-call-iptables', '1');
    for (const d of ['cni/net.d', 'cni/ipam', 'kubelet', 'containerd']) await mkdir(join(dir, d), { recursive: true });
    // containerd and the images first: the image build is the slowest step and needs nothing else.
    await writeFile(join(dir, 'containerd.toml'), containerdConfig(dir, peers.cniBinDir));
    await writeFile(join(dir, 'cni', 'net.d', '10-bulwark.conflist'), cniConfig(dir));
    const debug = process.env.BULWARK_NODE_DEBUG === '1' ? ['--log-level', 'debug'] : [];
    const containerd = new ManagedProcess('containerd', peers.containerd, ['--config', join(dir, 'containerd.toml'), ...debug], join(dir, 'containerd.log'));
    procs.push(containerd);
    const images = (async () => {
      const built = await buildImages(repoPath('.'), join(dir, 'images'), join(peers.cacheDir, 'node-images'), progress);
      await waitFor('containerd', async () => ((await ctr(['version'])).includes('Server') ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, abort: () => containerd.exitReason() });
      for (const archive of Object.values(built)) await ctr(['images', 'import', archive]);
      await rm(join(dir, 'images'), { recursive: true, force: true });
      progress(`images imported into containerd: ${Object.values(IMAGES).join(', ')} (${since()})`);
    })();
    images.catch(() => undefined);

    const pki = await writeClusterPki(dir, {
      extraHosts: [nodeIp],
      clients: [
        { name: 'kubelet', commonName: `system:node:${NODE_NAME}`, organization: 'system:nodes' },
        { name: 'controller-manager', commonName: 'system:kube-controller-manager' },
        { name: 'scheduler', commonName: 'system:kube-scheduler' },
        { name: 'kube-proxy', commonName: 'system:kube-proxy' },
        { name: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organization: 'system:masters' },
      ],
    });
    const encryptionConfig = join(dir, 'encryption-config.yaml');
    await writeFile(encryptionConfig, renderEncryptionConfig(await readFile(repoPath('test/e2e/fixtures/encryption-config.yaml'), 'utf8')), { mode: 0o600 });
    etcd = await startEtcd(peers.etcd, dir);
    const kc = pki.clients['apiserver-kubelet-client']!;
    api = await startApiserver(peers.kubeApiserver, dir, { etcdUrl: etcd.url, pki, encryptionConfig, node: { address: nodeIp, kubeletClientCert: kc.cert, kubeletClientKey: kc.key } });
    progress(`kube-apiserver ready at ${api.url}, node IP ${nodeIp} (${since()})`);
    const url = api.url;
    const kubeconfigFor = async (name: string, cert: string, key: string) => {
      const path = join(dir, `${name}.kubeconfig`);
      await writeFile(path, buildKubeconfig(url, pki.caPem, cert, key), { mode: 0o600 });
      return path;
    };
    const [adminCert, adminKey] = await Promise.all([readFile(pki.adminCert, 'utf8'), readFile(pki.adminKey, 'utf8')]);
    const kubeconfig = await kubeconfigFor('admin', adminCert, adminKey);
    kubectl = new Kubectl(peers.kubectl, kubeconfig);
    const client = (n: string) => pki.clients[n]!;

    const start = (name: string, bin: string, args: string[]) => {
      const p = new ManagedProcess(name, bin, args, join(dir, `${name}.log`));
      procs.push(p);
      return p;
    };
    start('kube-controller-manager', peers.kubeControllerManager, [
      `--kubeconfig=${await kubeconfigFor('controller-manager', client('controller-manager').certPem, client('controller-manager').keyPem)}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.saPrivateKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--secure-port=0',
      '--controllers=*',
      '--v=1',
    ]);
    start('kube-scheduler', peers.kubeScheduler, [
      `--kubeconfig=${await kubeconfigFor('scheduler', client('scheduler').certPem, client('scheduler').keyPem)}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);
    start('kube-proxy', peers.kubeProxy, [
      `--kubeconfig=${await kubeconfigFor('kube-proxy', client('kube-proxy').certPem, client('kube-proxy').keyPem)}`,
      `--hostname-override=${NODE_NAME}`,
      '--proxy-mode=iptables',
      `--cluster-cidr=${CLUSTER_CIDR}`,
      '--conntrack-max-per-core=0',
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--healthz-bind-address=127.0.0.1:${await freePort()}`,
      '--v=1',
    ]);
    await images;
    const kubeletDir = join(dir, 'kubelet');
    await writeFile(join(dir, 'kubelet.yaml'), kubeletConfig({ dir, caFile: pki.caCert, port: await freePort(), healthzPort: await freePort() }));
    start('kubelet', peers.kubelet, [
      `--config=${join(dir, 'kubelet.yaml')}`,
      `--kubeconfig=${await kubeconfigFor('kubelet', client('kubelet').certPem, client('kubelet').keyPem)}`,
      `--root-dir=${kubeletDir}`,
      `--cert-dir=${join(kubeletDir, 'pki')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${nodeIp}`,
      '--v=1',
    ]);
    await waitFor(
      `node ${NODE_NAME} Ready`,
      async () => {
        const node = await kubectl!.getJson('node', NODE_NAME);
        const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        if (ready?.status === 'True') return true;
        throw new Error(ready ? `Ready=${ready.status}: ${ready.message}` : 'not registered yet');
      },
      { timeoutMs: 120_000, intervalMs: 500, abort: () => procs.map((p) => p.exitReason()).find(Boolean) ?? api!.process.exitReason() },
    );
    // Pods need their namespace's default ServiceAccount (the ServiceAccount plugin is on).
    await waitFor('ServiceAccount default/default', async () => ((await kubectl!.getJson('serviceaccount', 'default', 'default')) ? true : undefined), { timeoutMs: 60_000, intervalMs: 300 });
    progress(`node ${NODE_NAME} Ready (${since()})`);
    return { dir, apiserverUrl: url, nodeIp, kubeconfig, pki, kubectl, peers, ctr, processes: procs, stop };
  } catch (err) {
    const logs = [...procs, api?.process, etcd?.process]
      .filter((p): p is ManagedProcess => !!p)
      .map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.tail(20)}`)
      .join('\n');
    await stop().catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`);
  }
}

/** Kills and removes every container containerd still runs in the k8s.io namespace. */
async function cleanupContainers(ctr: (a: string[]) => Promise<string>): Promise<void> {
  const tasks = (await ctr(['tasks', 'ls', '-q'])).split('\n').filter(Boolean);
  for (const t of tasks) await ctr(['tasks', 'kill', '-s', 'SIGKILL', t]).catch(() => undefined);
  for (const t of tasks) await ctr(['tasks', 'delete', '-f', t]).catch(() => undefined);
}

/** Unmounts everything mounted below dir (pod volumes, rootfs overlays, netns), deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .map((m) => m.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
}
