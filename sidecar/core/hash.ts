/**
 * Content hashing: versions of rendered content are short sha256 digests, never the content.
 */
import { createHash } from 'node:crypto';

/** Returns the first 16 hex chars of the sha256 of the given parts. */
export function contentHash(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}
