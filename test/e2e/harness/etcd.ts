/**
 * Starts a single-member etcd on free loopback ports (plain HTTP: it is bound to 127.0.0.1 and lives
 * for one test run) and waits until it answers /health.
 */
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';
import { ManagedProcess } from './process.js';

/** A running etcd. */
export interface RunningEtcd {
  url: string;
  process: ManagedProcess;
}

/** Starts etcd with its data in dir/etcd-data and its log in dir/etcd.log. */
export async function startEtcd(binary: string, dir: string, timeoutMs = 30_000): Promise<RunningEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = new ManagedProcess('etcd', binary, [
    '--name=e2e',
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync', // throwaway data: skip fsync, start and write faster
    '--log-level=warn',
  ], join(dir, 'etcd.log'));
  try {
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`${url}/health`);
        const body = (await res.json()) as { health?: string };
        return res.ok && body.health === 'true' ? true : undefined;
      },
      { timeoutMs, abort: () => proc.exitReason() },
    );
  } catch (err) {
    await proc.stop(); // never leave a half-started process behind
    throw err;
  }
  return { url, process: proc };
}
