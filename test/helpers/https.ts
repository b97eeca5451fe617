/**
 * A small HTTPS client for tests: JSON requests over real TLS with a given CA, and the peer
 * certificate of the connection.
 */
import https from 'node:https';

/** A response as tests see it. */
export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
  peerSerial: string | undefined;
}

/** Sends one request; body objects are JSON-encoded. */
export function request(
  url: string,
  opts: { method?: string; body?: unknown; ca: string | Buffer; headers?: Record<string, string>; agent?: https.Agent | false },
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const data = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const req = https.request(
      url,
      {
        method: opts.method ?? (data === undefined ? 'GET' : 'POST'),
        ca: opts.ca,
        agent: opts.agent ?? false,
        headers: { ...(data !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const serial = (res.socket as any).getPeerCertificate?.()?.serialNumber as string | undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peerSerial: serial });
        });
      },
    );
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** An AdmissionReview v1 for an object. */
export function admissionReview(object: Record<string, any>, overrides: Record<string, unknown> = {}): Record<string, any> {
  const kind = String(object.kind ?? 'Pod');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${Math.random().toString(16).slice(2)}`,
      kind: { group: '', version: 'v1', kind },
      resource: { group: '', version: 'v1', resource: `${kind.toLowerCase()}s` },
      operation: 'CREATE',
      userInfo: { username: 'tester' },
      namespace: object.metadata?.namespace ?? 'default',
      name: object.metadata?.name,
      object,
      ...overrides,
    },
  };
}
