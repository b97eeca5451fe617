/**
 * The file provider: mounted ConfigMaps and Secrets (or any local file), read with a content-hash
 * version and watched with chokidar. Watching the directory catches the kubelet's `..data`
 * symlink swap, which replaces no file a watcher on the file itself would see change.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve, basename } from 'node:path';
import { SidecarError } from '../errors.js';
import { contentHash } from '../core/hash.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

/** Resolves a source path against the store's base directory (address), default "/". */
export function resolveFilePath(base: string | undefined, path: string): string {
  return resolve(base ?? '/', path.replace(/^\/+/, ''));
}

/** Creates the file provider of a store. */
export function createFileProvider(ctx: ProviderContext): Provider {
  const base = ctx.store.address;
  return {
    async read(ref: ProviderRef): Promise<FetchedValue> {
      const file = resolveFilePath(base, ref.path);
      try {
        const content = await readFile(file);
        return { value: content, version: contentHash(content) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new SidecarError('NOT_FOUND', `file ${file} does not exist`, { path: ref.path });
        if (code === 'EACCES' || code === 'EPERM') throw new SidecarError('DENIED', `file ${file} is not readable by the sidecar`, { path: ref.path });
        throw new SidecarError('UNAVAILABLE', `file ${file} cannot be read: ${code ?? (err as Error).message}`, { path: ref.path });
      }
    },
    watch(ref: ProviderRef, onChange: () => void, signal: AbortSignal): void {
      const file = resolveFilePath(base, ref.path);
      const dir = dirname(file);
      const name = basename(file);
      void import('chokidar').then(({ watch }) => {
        if (signal.aborted) return;
        const watcher = watch(dir, { depth: 1, ignoreInitial: true, followSymlinks: false, atomic: true });
        watcher.on('all', (_event, changed) => {
          const rel = changed.slice(dir.length + 1);
          if (rel === name || rel.startsWith('..')) onChange();
        });
        signal.addEventListener('abort', () => void watcher.close(), { once: true });
      });
    },
  };
}
