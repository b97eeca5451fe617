/**
 * The sidecar's error catalogue: every failure carries a machine-readable code, and code
 * branches on `code`, never on message text. Messages never contain secret values.
 */

import { CodedError } from './spec/coded-error.js';

/** The sidecar's error codes and what each one means. */
export const SIDECAR_ERROR_CODES = {
  NOT_FOUND: 'the store has no value at the path (or no such key or version)',
  UNAVAILABLE: 'the store could not be reached or answered with a server error',
  DENIED: 'the store refused the credentials or the path',
  BAD_RESPONSE: 'the store answered with something the provider cannot interpret',
  OUT_OF_SCOPE: "the path is outside the pod tenant's allowed path prefixes, or is not a clean path",
  BUDGET_EXCEEDED: 'the per-minute fetch budget of this pod is spent',
  CIRCUIT_OPEN: 'the store failed repeatedly and is not being called until its cool-down ends',
  RENDER_FAILED: 'the fetched values could not be rendered in the requested format or template',
  SCHEMA_INVALID: 'the rendered content fails its ConfigSchema and was not written',
  TOO_LARGE: 'a store answer, a rendered file or the whole file set is over its size limit (spec limits) and was not written',
  WRITE_FAILED: 'the rendered files could not be written to the shared volume',
  RELOAD_FAILED: 'every step of the reload chain failed',
  CACHE_INVALID: 'the encrypted last-good cache could not be read or its key is wrong',
  SPEC_INVALID: 'the sidecar spec is missing or fails its schema',
  STORE_UNKNOWN: 'a file source names a store the spec does not define',
} as const;

/** A machine-readable sidecar error code. */
export type SidecarErrorCode = keyof typeof SIDECAR_ERROR_CODES;

/** An error with a code and context fields (store, path, file; never values). */
export class SidecarError extends CodedError<SidecarErrorCode> {
  override name = 'SidecarError';
}

/** Reports whether a value is a SidecarError, optionally with the given code. */
export function isSidecarError(err: unknown, code?: SidecarErrorCode): err is SidecarError {
  return err instanceof SidecarError && (code === undefined || err.code === code);
}

/** Returns the code of any thrown value, UNAVAILABLE for errors that carry none (network, timeouts). */
export function errorCode(err: unknown): SidecarErrorCode {
  return isSidecarError(err) ? err.code : 'UNAVAILABLE';
}

/** Maps an HTTP status from a store to an error code. */
export function codeForStatus(status: number): SidecarErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401 || status === 403) return 'DENIED';
  if (status === 429 || status >= 500) return 'UNAVAILABLE';
  return 'BAD_RESPONSE';
}
