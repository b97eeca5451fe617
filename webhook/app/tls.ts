/**
 * Provides the serving certificate: from --cert-dir (as cert-manager writes it), or generated once
 * into the state directory for standalone use.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateCerts } from '../certs/generate.js';
import { loadTlsDir, writeCertDir } from '../certs/files.js';
import type { Logger } from '../log.js';

/** Hosts of the generated standalone certificate. */
export const STANDALONE_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** Returns the certificate directory to serve from, generating a CA and certificate when needed. */
export async function ensureCertDir(certDir: string | undefined, stateDir: string, logger: Logger): Promise<{ dir: string; caFile: string | undefined; generated: boolean }> {
  if (certDir) {
    const ca = join(certDir, 'ca.crt');
    return { dir: resolve(certDir), caFile: existsSync(ca) ? resolve(ca) : undefined, generated: false };
  }
  const dir = resolve(stateDir, 'certs');
  const caFile = join(dir, 'ca.crt');
  let usable = false;
  if (existsSync(caFile)) {
    try {
      const tls = await loadTlsDir(dir);
      usable = tls.notAfter.getTime() - Date.now() > 7 * 86_400_000;
    } catch {
      usable = false;
    }
  }
  if (!usable) {
    await writeCertDir(dir, generateCerts(STANDALONE_HOSTS));
    logger.info('generated a CA and serving certificate', { dir });
  }
  return { dir, caFile, generated: !usable };
}
