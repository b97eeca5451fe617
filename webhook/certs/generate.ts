/**
 * Generates a CA and a serving certificate with node-forge (keys from Node's native RSA generator,
 * which is much faster than forge's). Used by standalone `bulwark serve` and by `bulwark certs`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A PEM certificate and its PEM private key. */
export interface CertPair {
  certPem: string;
  keyPem: string;
}

/** The generated CA and the serving certificate it signed. */
export interface GeneratedCerts {
  ca: CertPair;
  serving: CertPair;
}

function newKeys(): { forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const forgePub = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { forgeKey, forgePub, keyPem };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number, now: Date): void {
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

/** Generates a self-signed CA valid for `days`. */
export function generateCA(opts: { commonName?: string; days?: number; now?: Date } = {}): CertPair & { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const { forgeKey, forgePub, keyPem } = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePub;
  cert.serialNumber = serial();
  validity(cert, opts.days ?? 3650, opts.now ?? new Date());
  const attrs = [{ name: 'commonName', value: opts.commonName ?? 'bulwark-ca' }, { name: 'organizationName', value: 'bulwark' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { cert, key: forgeKey, certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Generates a serving certificate for DNS names and IP addresses, signed by the CA. */
export function generateServing(
  ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  hosts: string[],
  opts: { days?: number; now?: Date; clientAuth?: boolean; commonName?: string; organization?: string } = {},
): CertPair {
  if (hosts.length === 0 && !opts.commonName) throw new Error('at least one host name or IP address is required');
  const { forgePub, keyPem } = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePub;
  cert.serialNumber = serial();
  validity(cert, opts.days ?? 365, opts.now ?? new Date());
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: opts.commonName ?? hosts[0]! }];
  if (opts.organization) subject.push({ name: 'organizationName', value: opts.organization });
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  const altNames = hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  const extensions: any[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: !opts.clientAuth, clientAuth: !!opts.clientAuth },
  ];
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Generates a CA and a serving certificate for the given hosts in one call. */
export function generateCerts(hosts: string[], opts: { days?: number; caDays?: number; now?: Date } = {}): GeneratedCerts {
  const ca = generateCA({ days: opts.caDays ?? 3650, ...(opts.now ? { now: opts.now } : {}) });
  const serving = generateServing(ca, hosts, { days: opts.days ?? 365, ...(opts.now ? { now: opts.now } : {}) });
  return { ca: { certPem: ca.certPem, keyPem: ca.keyPem }, serving };
}
