/**
 * Reads and writes certificate directories in the layout cert-manager uses (tls.crt, tls.key, ca.crt),
 * atomically, with the private key readable by the owner only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../errors.js';
import type { GeneratedCerts } from './generate.js';

/** TLS material loaded from a directory, with its expiry. */
export interface LoadedTls {
  cert: Buffer;
  key: Buffer;
  notAfter: Date;
  subject: string;
}

/** Writes a file atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data, { mode });
  const fh = await open(tmp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** Writes ca.crt, tls.crt and tls.key (0600) into a directory, creating it. */
export async function writeCertDir(dir: string, certs: GeneratedCerts, opts: { caKey?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dir, 'ca.crt'), certs.ca.certPem, 0o644);
  if (opts.caKey) await writeFileAtomic(join(dir, 'ca.key'), certs.ca.keyPem, 0o600);
  await writeFileAtomic(join(dir, 'tls.key'), certs.serving.keyPem, 0o600);
  await writeFileAtomic(join(dir, 'tls.crt'), certs.serving.certPem, 0o644);
}

/** Loads tls.crt and tls.key from a directory and checks that they parse and belong together. */
export async function loadTlsDir(dir: string): Promise<LoadedTls> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(join(dir, 'tls.crt')), readFile(join(dir, 'tls.key'))]);
  } catch (err) {
    throw new BulwarkError('CERT_INVALID', `cannot read tls.crt and tls.key in ${dir}: ${(err as Error).message}`, { dir }, { cause: err });
  }
  try {
    const x509 = new X509Certificate(cert);
    const pk = createPrivateKey(key);
    if (!x509.checkPrivateKey(pk)) throw new Error('tls.key does not match tls.crt');
    return { cert, key, notAfter: new Date(x509.validTo), subject: x509.subject };
  } catch (err) {
    throw new BulwarkError('CERT_INVALID', `invalid TLS material in ${dir}: ${(err as Error).message}`, { dir }, { cause: err });
  }
}
