/**
 * Maps AWS SDK v3 errors to sidecar error codes.
 */
import { SidecarError } from '../errors.js';
import { credentialFailure } from './aws-credentials.js';

/** Turns an AWS SDK error into a SidecarError naming the path (never a value); credential failures say what to configure. */
export function awsError(err: unknown, service: string, path: string): SidecarError {
  const cred = credentialFailure(err);
  if (cred) return new SidecarError('DENIED', `${service} ${path}: ${cred.message}`, { path, credentials: cred.reason }, { cause: err });
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  let code: SidecarError['code'] = 'UNAVAILABLE';
  if (/NotFound|ParameterVersionNotFound/.test(name)) code = 'NOT_FOUND';
  else if (/AccessDenied|Unrecognized|InvalidSignature|ExpiredToken|Forbidden|InvalidClientTokenId/.test(name) || status === 403) code = 'DENIED';
  else if (/Validation|InvalidParameter|InvalidRequest|Decryption/.test(name) || (status !== undefined && status >= 400 && status < 500)) code = 'BAD_RESPONSE';
  return new SidecarError(code, `${service} ${path}: ${name}`, { path }, { cause: err });
}

/** How long the AWS SDK waits for a connection. */
export const AWS_CONNECT_TIMEOUT_MS = 3000;
/** How long the AWS SDK waits for an answer to one request (two attempts fit in the fetcher's default read deadline). */
export const AWS_REQUEST_TIMEOUT_MS = 4000;

/** The common client settings: region, and the spec's address as endpoint override (tests, VPC endpoints). */
export function awsClientConfig(store: { region?: string; address?: string }): Record<string, unknown> {
  return {
    region: store.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(store.address ? { endpoint: store.address } : {}),
    maxAttempts: 2,
    // Without these the SDK waits for an answer forever (a store that accepts and never answers).
    requestHandler: { connectionTimeout: AWS_CONNECT_TIMEOUT_MS, requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}
