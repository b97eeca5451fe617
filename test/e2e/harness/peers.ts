/**
 * Finds the real test peers (etcd, kube-apiserver, kubectl) that test/peers/install.sh built:
 * explicit environment overrides first, then ${BULWARK_PEERS_DIR:-~/.cache/bulwark/peers}/peers.json.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Paths of the binaries the end-to-end harness runs. */
export interface ControlPlanePeers {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
}

/** Either every peer was found, or the names of the missing ones and how to install them. */
export type PeerLookup = { ok: true; peers: ControlPlanePeers } | { ok: false; missing: string[]; hint: string };

/** The install command printed when a peer is missing. */
export const INSTALL_HINT = 'bash test/peers/install.sh kubernetes etcd   (first run builds from the Go modules, ~20 min)';

/** The peers cache directory. */
export function peersDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BULWARK_PEERS_DIR || join(homedir(), '.cache', 'bulwark', 'peers');
}

function executable(path: string | undefined): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readPeersJson(dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dir, 'peers.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Looks the control-plane peers up; BULWARK_ETCD, BULWARK_KUBE_APISERVER and BULWARK_KUBECTL override. */
export function findControlPlanePeers(env: NodeJS.ProcessEnv = process.env): PeerLookup {
  const json = readPeersJson(peersDir(env));
  const pick = (override: string, key: string): string | undefined => {
    const v = env[override] || json[key];
    return typeof v === 'string' ? v : undefined;
  };
  const found = {
    etcd: pick('BULWARK_ETCD', 'etcd'),
    kubeApiserver: pick('BULWARK_KUBE_APISERVER', 'kube-apiserver'),
    kubectl: pick('BULWARK_KUBECTL', 'kubectl'),
  };
  const names: Record<keyof ControlPlanePeers, string> = { etcd: 'etcd', kubeApiserver: 'kube-apiserver', kubectl: 'kubectl' };
  const missing = (Object.keys(found) as Array<keyof ControlPlanePeers>).filter((k) => !executable(found[k])).map((k) => names[k]);
  if (missing.length) return { ok: false, missing, hint: INSTALL_HINT };
  return { ok: true, peers: found as ControlPlanePeers };
}
