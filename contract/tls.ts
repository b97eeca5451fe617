/**
 * The TLS settings of every endpoint Bulwark serves (the webhook, the sidecar's metrics and health):
 * TLS 1.2 and 1.3 only; for TLS 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or
 * ChaCha20-Poly1305: Mozilla's "intermediate" list), so no static-RSA key exchange and no CBC-SHA1;
 * the server's order wins. Client-initiated renegotiation is refused on every connection.
 */
import type { TLSSocket } from 'node:tls';

/** OpenSSL names of the TLS 1.2 suites offered (TLS 1.3 suites are all AEAD and stay Node's default). */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** Options for https.createServer / tls.createSecureContext. */
export const SERVER_TLS_OPTIONS = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS12_CIPHERS, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].join(':'),
  honorCipherOrder: true,
} as const;

/** Refuses renegotiation on a connection (call on 'secureConnection'). */
export function refuseRenegotiation(socket: TLSSocket): void {
  socket.disableRenegotiation();
}
