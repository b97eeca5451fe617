/**
 * The optional encrypted last-good cache: AES-256-GCM with a key from a mounted secret file, so a
 * restarted pod can serve last good content while its store is down. Nothing else touches a disk.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SidecarError } from '../errors.js';
import { writeFileAtomic } from '../write/atomic-file.js';

/** What the cache holds: each file's content, mode and content hash, and when it was fetched. */
export interface CachedSet {
  savedAt: number;
  files: Record<string, { content: string; mode: number; hash: string; fetchedAt: number }>;
}

/**
 * Parses the cache key strictly: exactly 32 raw bytes, or (after removing one trailing newline)
 * exactly 64 hex characters or exactly 44 base64 characters that decode to 32 bytes. Anything else
 * (short keys, stray whitespace, base64url, padding tricks) is refused rather than guessed at.
 */
export function parseCacheKey(raw: Buffer): Buffer {
  if (raw.length === 32) return raw;
  const text = raw.toString('latin1').replace(/\r?\n$/, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === 32 && key.toString('base64') === text) return key;
  }
  throw new SidecarError('CACHE_INVALID', 'cache key file must hold exactly 32 bytes: raw, 64 hex characters or 44 base64 characters (one trailing newline allowed)');
}

/** Encrypts a JSON-serialisable value with AES-256-GCM. */
export function encrypt(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from('BWC1'), iv, cipher.getAuthTag(), data]);
}

/** Decrypts what encrypt produced; throws CACHE_INVALID when the key is wrong or the data was altered. */
export function decrypt(key: Buffer, blob: Buffer): Buffer {
  if (blob.length < 32 || blob.subarray(0, 4).toString() !== 'BWC1') throw new SidecarError('CACHE_INVALID', 'cache file is not a Bulwark cache');
  const iv = blob.subarray(4, 16);
  const tag = blob.subarray(16, 32);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(32)), decipher.final()]);
  } catch {
    throw new SidecarError('CACHE_INVALID', 'cache file cannot be decrypted: wrong key or corrupted file');
  }
}

/** The encrypted last-good cache at one path. */
export class EncryptedCache {
  /** Creates a cache at path with a key read from keyFile. */
  constructor(
    private readonly path: string,
    private readonly keyFile: string,
  ) {}

  private async key(): Promise<Buffer> {
    return parseCacheKey(await readFile(this.keyFile));
  }

  /** Saves the set atomically (0600). */
  async save(set: CachedSet): Promise<void> {
    await writeFileAtomic(this.path, encrypt(await this.key(), Buffer.from(JSON.stringify(set))), 0o600);
  }

  /** Loads the set, or undefined when no cache exists yet. */
  async load(): Promise<CachedSet | undefined> {
    let blob: Buffer;
    try {
      blob = await readFile(this.path);
    } catch {
      return undefined;
    }
    return JSON.parse(decrypt(await this.key(), blob).toString('utf8')) as CachedSet;
  }
}
