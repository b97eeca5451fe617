/**
 * Standalone cluster state: Namespace objects (and optionally ConfigMaps and Secrets) read from a
 * local YAML/JSON file, for `npm start` without a cluster and for `bulwark review`.
 */
import { readFile } from 'node:fs/promises';
import { parseManifests } from '../util/manifests.js';
import { MemoryClusterState } from './memory-state.js';
import type { ServerVersion } from './types.js';

/** Builds cluster state from manifest objects; object lookups are authoritative when any ConfigMap or Secret is listed. */
export function stateFromObjects(objects: Record<string, any>[], serverVersion?: ServerVersion): MemoryClusterState {
  const authoritative = objects.some((o) => o.kind === 'ConfigMap' || o.kind === 'Secret');
  const state = new MemoryClusterState({ authoritative, ...(serverVersion ? { serverVersion } : {}) });
  for (const o of objects) state.upsert(o);
  return state;
}

/** Reads a namespaces file into cluster state. */
export async function loadFileState(path: string, serverVersion?: ServerVersion): Promise<MemoryClusterState> {
  const text = await readFile(path, 'utf8');
  return stateFromObjects(
    parseManifests(text, path).map((m) => m.object),
    serverVersion,
  );
}
