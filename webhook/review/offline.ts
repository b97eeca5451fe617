/**
 * What the offline commands (`bulwark review`, `bulwark rbac`) start from: the server options, the
 * policy documents of a directory, the input manifests, and a cluster state built from the
 * namespaces file and the inputs themselves — the same world the webhook would see.
 */
import { readFile } from 'node:fs/promises';
import { namespacesFileFor } from '../app/cluster.js';
import { stateFromObjects } from '../cluster/file-state.js';
import type { MemoryClusterState } from '../cluster/memory-state.js';
import { resolveOptions, type ServerOptions } from '../config/options.js';
import type { DocumentSet } from '../policy/documents.js';
import { loadDirectory } from '../policy/loader.js';
import { parseManifests } from '../util/manifests.js';
import { readInputs } from './inputs.js';

/** The flags every offline command shares. */
export interface OfflineFlags {
  policies?: string;
  namespaces?: string;
  serverVersion?: string;
}

/** The loaded world of one offline run. */
export interface OfflineWorld {
  options: ServerOptions;
  set: DocumentSet;
  objects: Awaited<ReturnType<typeof readInputs>>;
  state: MemoryClusterState;
}

/** Loads policies, inputs and namespaces; throws an Error whose message says what to fix. */
export async function loadOffline(inputs: string[], flags: OfflineFlags): Promise<OfflineWorld> {
  const m = /^(\d+)\.(\d+)$/.exec(flags.serverVersion ?? '1.33');
  if (!m) throw new Error('--server-version must look like 1.33');
  const options = resolveOptions({ policiesDir: flags.policies ?? 'policies', cluster: 'none', ...(flags.namespaces ? { namespacesFile: flags.namespaces } : {}) }, {});
  const { set, errors } = await loadDirectory(options.policiesDir);
  if (errors.length) throw new Error(`invalid policy documents:\n${errors.map((e: { source: string; message: string }) => `  ${e.source}: ${e.message}`).join('\n')}`);
  const objects = await readInputs(inputs);
  const nsFile = namespacesFileFor(options);
  const nsObjects = nsFile ? parseManifests(await readFile(nsFile, 'utf8'), nsFile).map((o) => o.object) : [];
  const state = stateFromObjects([...nsObjects, ...objects.map((o) => o.object)], { major: Number(m[1]), minor: Number(m[2]) });
  return { options, set, objects, state };
}
