/**
 * The "external cluster" mode of the harness (BULWARK_E2E_KUBECONFIG, used by test/kind/run-e2e.sh):
 * the suite runs against a cluster someone else started, where deploy/base was installed with the
 * built images, and the webhook is the in-cluster Deployment, stopped and started by scaling it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCluster } from './cluster.js';
import { Kubectl } from './kubectl.js';

/** What the suites do with the webhook, whichever way it runs. */
export interface WebhookControl {
  /** Where the apiserver reaches it (a URL for the local process, the Service for the in-cluster one). */
  readonly description: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  running(): boolean;
}

/** A TestCluster view of an existing cluster: no etcd access, nothing to tear down but a temp dir. */
export async function externalCluster(kubeconfig: string, kubectlBinary: string): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-e2e-ext-'));
  const kubectl = new Kubectl(kubectlBinary, kubeconfig);
  const cfg = JSON.parse(await kubectl.ok(['config', 'view', '--minify', '-o', 'json']));
  return {
    dir,
    apiserverUrl: cfg.clusters?.[0]?.cluster?.server ?? '',
    etcdUrl: undefined,
    kubeconfig,
    pki: undefined,
    kubectl,
    peers: undefined,
    startupMs: 0,
    stop: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The in-cluster webhook Deployment of deploy/base, stopped by scaling to 0 and started by scaling back. */
export class InClusterWebhook implements WebhookControl {
  readonly description = 'Deployment bulwark-system/bulwark-webhook';
  private up = true;

  constructor(
    private readonly kubectl: Kubectl,
    private readonly replicas = 2,
  ) {}

  async start(): Promise<void> {
    const ns = ['-n', 'bulwark-system'];
    await this.kubectl.ok([...ns, 'scale', 'deployment/bulwark-webhook', `--replicas=${this.replicas}`]);
    await this.kubectl.ok([...ns, 'rollout', 'status', 'deployment/bulwark-webhook', '--timeout=180s'], { timeoutMs: 200_000 });
    this.up = true;
  }

  async stop(): Promise<void> {
    const ns = ['-n', 'bulwark-system'];
    await this.kubectl.ok([...ns, 'scale', 'deployment/bulwark-webhook', '--replicas=0']);
    await this.kubectl.ok([...ns, 'wait', '--for=delete', 'pod', '-l', 'app.kubernetes.io/name=bulwark-webhook', '--timeout=120s'], { timeoutMs: 130_000 });
    this.up = false;
  }

  running(): boolean {
    return this.up;
  }
}
