/**
 * The node tier's shared environment: one cluster with a real node per mocha run, Bulwark installed
 * in it from deploy/base with the images built from this checkout. Started by test/node/hooks.ts.
 */
import { inCI } from '../../e2e/harness/env.js';
import { progress } from '../../e2e/harness/cluster.js';
import { installBulwark } from './install.js';
import { startNodeCluster, type NodeCluster } from './node-cluster.js';
import { findNodePeers } from './peers.js';

let cluster: NodeCluster | undefined;

/** Starts the cluster and installs Bulwark; false (with a reason) when peers are missing outside CI. */
export async function setupNodeTier(): Promise<{ started: boolean; reason?: string }> {
  const peers = findNodePeers();
  if (!peers.ok) {
    const reason = `missing test peers: ${peers.missing.join(', ')}. Install them with: ${peers.hint}`;
    if (inCI()) throw new Error(reason);
    return { started: false, reason };
  }
  if (process.getuid?.() !== 0) {
    const reason = 'the node tier needs root (kubelet and containerd manage cgroups, mounts and network namespaces)';
    if (inCI()) throw new Error(reason);
    return { started: false, reason };
  }
  cluster = await startNodeCluster(peers.peers);
  try {
    const t0 = Date.now();
    await installBulwark(cluster.kubectl, progress);
    progress(`Bulwark installed from deploy/base, webhook Deployment rolled out (${Date.now() - t0} ms)`);
  } catch (err) {
    await teardownNodeTier();
    throw err;
  }
  return { started: true };
}

/** Stops everything the tier started. */
export async function teardownNodeTier(): Promise<void> {
  await cluster?.stop();
  cluster = undefined;
}

/** The running node cluster (throws when the root hooks did not start one). */
export function nodeCluster(): NodeCluster {
  if (!cluster) throw new Error('the node cluster is not running (root hooks in test/node/hooks.ts not loaded?)');
  return cluster;
}
