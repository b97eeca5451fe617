/**
 * `bulwark certs`: writes a CA and a serving certificate for clusters without cert-manager.
 */
import { join } from 'node:path';
import { generateCA, generateServing } from '../certs/generate.js';
import { writeCertDir } from '../certs/files.js';
import { errorMessage } from '../errors.js';

const HOST_RE = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^[0-9.]+$|^[0-9a-fA-F:]+$/;

/** Writes the certificates; returns the exit code. */
export async function certsCommand(flags: { out: string; hosts: string; days: string }): Promise<number> {
  const hosts = flags.hosts.split(',').map((h) => h.trim()).filter(Boolean);
  const bad = hosts.filter((h) => !HOST_RE.test(h));
  if (!hosts.length || bad.length) {
    process.stderr.write(`bulwark certs: --hosts must list DNS names or IP addresses${bad.length ? `; invalid: ${bad.join(', ')}` : ''}\n`);
    return 2;
  }
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    process.stderr.write('bulwark certs: --days must be an integer from 1 to 3650\n');
    return 2;
  }
  try {
    const ca = generateCA();
    const serving = generateServing(ca, hosts, { days });
    await writeCertDir(flags.out, { ca: { certPem: ca.certPem, keyPem: ca.keyPem }, serving }, { caKey: true });
    process.stdout.write(`wrote ${['ca.crt', 'ca.key', 'tls.crt', 'tls.key'].map((f) => join(flags.out, f)).join(', ')}\n`);
    process.stdout.write(`caBundle (base64 of ca.crt) for the webhook configurations:\n${Buffer.from(ca.certPem).toString('base64')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`bulwark certs: ${errorMessage(err)}\n`);
    return 1;
  }
}
