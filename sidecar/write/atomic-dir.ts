/**
 * Swaps a set of files together, as the kubelet does for projected volumes: the files go into a
 * fresh hidden directory, `..data` is re-pointed at it by renaming a symlink (atomic), and each
 * visible name is a symlink `<name> -> ..data/<name>`. Readers see the whole old set or the whole new one.
 */
import { mkdir, open, readdir, readlink, rename, rm, symlink, lstat, readFile, chmod, stat, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SidecarError } from '../errors.js';
import { fsyncDir, DEFAULT_FILE_MODE } from './atomic-file.js';

/** The symlink that points at the current version directory. */
export const DATA_LINK = '..data';

/** One file to write. */
export interface FileContent {
  content: Buffer;
  mode?: number;
  /** When the content was fetched (ms since the epoch): kept as the file's mtime, so a restarted sidecar knows how stale it is. */
  fetchedAt?: number;
}

function versionDirName(): string {
  const ts = new Date().toISOString().replace(/[-:T.Z]/g, '_');
  return `..${ts}${randomBytes(3).toString('hex')}`;
}

async function replaceSymlink(root: string, name: string, target: string): Promise<void> {
  const tmp = join(root, `..tmp_${name}_${randomBytes(4).toString('hex')}`);
  await symlink(target, tmp);
  await rename(tmp, join(root, name));
}

/** Removes version directories and temp links that the current `..data` does not point at (left by earlier swaps or failed writes). */
async function pruneStale(root: string, keep: string | undefined): Promise<void> {
  for (const entry of await readdir(root)) {
    if (entry.startsWith('..') && entry !== DATA_LINK && entry !== keep) await rm(join(root, entry), { recursive: true, force: true });
  }
}

/**
 * Writes every file into a new version directory and swaps it in; removes names not in the set.
 * Before writing, every version directory but the current one is pruned (so leftovers of failed
 * writes cannot fill the volume); after the swap the previous one is kept so in-flight readers
 * finish. A write that fails before the swap removes its new directory, plaintext included.
 */
export async function writeFileSet(root: string, files: ReadonlyMap<string, FileContent>): Promise<string> {
  for (const name of files.keys()) {
    if (name.startsWith('..') || name.includes('/') || name === '' || name === '.') throw new SidecarError('WRITE_FAILED', `file name ${name} is not allowed`);
  }
  let dir: string | undefined;
  let swapped = false;
  try {
    await mkdir(root, { recursive: true });
    const previous = await readlink(join(root, DATA_LINK)).catch(() => undefined);
    await pruneStale(root, previous);
    const version = versionDirName();
    dir = join(root, version);
    await mkdir(dir, { mode: 0o755 });
    for (const [name, f] of files) {
      const fh = await open(join(dir, name), 'wx', 0o600);
      try {
        await fh.writeFile(f.content);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(join(dir, name), f.mode ?? DEFAULT_FILE_MODE);
      if (f.fetchedAt !== undefined) await utimes(join(dir, name), new Date(), new Date(f.fetchedAt));
    }
    await fsyncDir(dir);
    await replaceSymlink(root, DATA_LINK, version);
    swapped = true;
    for (const name of files.keys()) {
      const st = await lstat(join(root, name)).catch(() => undefined);
      if (!st?.isSymbolicLink()) await replaceSymlink(root, name, join(DATA_LINK, name));
    }
    for (const entry of await readdir(root)) {
      if (entry.startsWith('..')) {
        if (entry !== DATA_LINK && entry !== version && entry !== previous && !entry.startsWith('..tmp_')) await rm(join(root, entry), { recursive: true, force: true });
      } else if (!files.has(entry)) {
        const st = await lstat(join(root, entry));
        if (st.isSymbolicLink()) await rm(join(root, entry));
      }
    }
    await fsyncDir(root);
    return version;
  } catch (err) {
    if (dir && !swapped) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof SidecarError) throw err;
    throw new SidecarError('WRITE_FAILED', `cannot write files under ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { root }, { cause: err });
  }
}

/** Reads the current content of the named files (missing ones are left out). */
export async function readFileSet(root: string, names: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [name, f] of await readFileSetWithTimes(root, names)) out.set(name, f.content);
  return out;
}

/** Reads the current content of the named files with their mtimes (the fetch time writeFileSet recorded). */
export async function readFileSetWithTimes(root: string, names: readonly string[]): Promise<Map<string, { content: Buffer; mtimeMs: number }>> {
  const out = new Map<string, { content: Buffer; mtimeMs: number }>();
  for (const name of names) {
    try {
      const content = await readFile(join(root, name));
      out.set(name, { content, mtimeMs: (await stat(join(root, name))).mtimeMs });
    } catch {
      // not written yet
    }
  }
  return out;
}
