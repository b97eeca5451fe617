/**
 * Hashing. Content (and anything derived from secret values) is hashed with HMAC-SHA256 under a
 * random key made once per process, so a published hash (metrics, /healthz, logs) cannot be used
 * to guess a weak secret offline. Hashes stay comparable for the life of the process; after a
 * restart the same content has a different hash. Non-secret identifiers (store version ids,
 * parameter names) that must be the same in every replica use the unkeyed digest.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

const processKey = randomBytes(32);

function digest(h: { update(d: string | Buffer): unknown; digest(e: 'hex'): string }, parts: Array<string | Buffer>): string {
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** Returns 16 hex chars of the HMAC-SHA256 of the parts under this process's random key: safe to publish, comparable only within this process. */
export function contentHash(...parts: Array<string | Buffer>): string {
  return digest(createHmac('sha256', processKey), parts);
}

/** Returns 16 hex chars of the plain sha256 of the parts: the same in every process, so only for values that are not secret (store version ids, names). */
export function publicDigest(...parts: Array<string | Buffer>): string {
  return digest(createHash('sha256'), parts);
}
