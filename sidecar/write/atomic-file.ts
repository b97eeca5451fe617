/**
 * Atomic single-file write: a temp file in the same directory, fsync, chmod, rename; then the
 * directory is fsynced. A reader sees the old content or the new, never a partial or empty file.
 */
import { open, rename, chmod, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

/** The default mode of written files (owner read only). */
export const DEFAULT_FILE_MODE = 0o400;

/** Fsyncs a directory so a rename in it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes content to path atomically with the given mode. */
export async function writeFileAtomic(path: string, content: Buffer | string, mode = DEFAULT_FILE_MODE): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
}
