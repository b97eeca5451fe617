/**
 * Finds the binaries of the node tier in peers.json (written by test/peers/install.sh): the control
 * plane of the e2e tier plus kubelet, kube-controller-manager, kube-scheduler, kube-proxy,
 * containerd, ctr, runc, the CNI plugins' directory and OpenBao.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peersDir } from '../../e2e/harness/peers.js';

/** Paths of everything the node tier runs. */
export interface NodePeers {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  containerd: string;
  ctr: string;
  runc: string;
  cniBinDir: string;
  /** OpenBao, the store pods log in to with their ServiceAccount (its suite needs it, the others do not). */
  bao: string | undefined;
  /** Where derived artefacts are cached between runs (production node_modules of the images). */
  cacheDir: string;
}

/** The install command printed when a peer is missing. */
export const NODE_INSTALL_HINT = 'bash test/peers/install.sh etcd kubernetes node-runtime cni-plugins openbao';

const KEYS: Record<Exclude<keyof NodePeers, 'cacheDir' | 'bao'>, string> = {
  etcd: 'etcd',
  kubeApiserver: 'kube-apiserver',
  kubectl: 'kubectl',
  kubelet: 'kubelet',
  kubeControllerManager: 'kube-controller-manager',
  kubeScheduler: 'kube-scheduler',
  kubeProxy: 'kube-proxy',
  containerd: 'containerd',
  ctr: 'ctr',
  runc: 'runc',
  cniBinDir: 'cni-bin-dir',
};

function usable(path: unknown, dir: boolean): path is string {
  if (typeof path !== 'string' || !path) return false;
  try {
    accessSync(dir ? join(path, 'bridge') : path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every node-tier peer, or the names of the missing ones. */
export function findNodePeers(env: NodeJS.ProcessEnv = process.env): { ok: true; peers: NodePeers } | { ok: false; missing: string[]; hint: string } {
  const dir = peersDir(env);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(readFileSync(join(dir, 'peers.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    /* no peers.json: every peer is missing */
  }
  const found: Partial<NodePeers> = { cacheDir: dir, bao: usable(json.bao, false) ? (json.bao as string) : undefined };
  const missing: string[] = [];
  for (const [field, key] of Object.entries(KEYS) as Array<[keyof typeof KEYS, string]>) {
    const v = json[key];
    if (usable(v, field === 'cniBinDir')) found[field] = v;
    else missing.push(key);
  }
  if (missing.length) return { ok: false, missing, hint: NODE_INSTALL_HINT };
  return { ok: true, peers: found as NodePeers };
}
