import { CodedError } from '../sidecar/spec/coded-error.js';

/**
 * The catalogue of Bulwark's error codes. Code branches on `code`, never on message text;
 * every code has a one-line meaning that the docs and a test keep honest.
 */
export const ERROR_CODES = {
  // Admission transport and decoding.
  BODY_EMPTY: 'the request body is empty',
  BODY_NOT_JSON: 'the request body is not valid JSON',
  BODY_TOO_LARGE: 'the request body is larger than the configured limit',
  BODY_TOO_DEEP: 'the request body nests deeper than the configured limit',
  CONTENT_TYPE: 'the request content type is not application/json',
  REVIEW_VERSION: 'the body is not an admission.k8s.io/v1 AdmissionReview',
  REVIEW_NO_REQUEST: 'the AdmissionReview has no request',
  REVIEW_NO_UID: 'the AdmissionReview request has no uid',
  REVIEW_BAD_SHAPE: 'a field of the AdmissionReview request has the wrong type',
  HANDLER_FAILED: 'an unexpected error happened while handling the request',
  // Configuration and documents.
  CONFIG_INVALID: 'a setting given by flag or environment variable is invalid',
  DOCUMENT_INVALID: 'a Bulwark document fails its JSON Schema',
  DOCUMENT_PARSE: 'a file could not be parsed as YAML or JSON',
  DOCUMENT_DUPLICATE: 'two documents of the same kind have the same name',
  // Injection.
  ANNOTATION_INVALID: 'a bulwark.dev annotation has an invalid value',
  STORE_UNKNOWN: 'a reference names a store that is not defined',
  SPEC_INVALID: 'the sidecar spec built for the pod fails its schema',
  NAME_CLASH: 'the pod already has a container or volume with a name Bulwark injects, or a mount at its mount path',
  STORE_FORBIDDEN: "a reference names a store or path outside what the pod's tenant may read",
  // Certificates.
  CERT_INVALID: 'the TLS certificate or key could not be loaded',
  // CLI.
  INPUT_INVALID: 'an input manifest could not be read or parsed',
} as const;

/** A machine-readable error code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that carries a catalogue code and optional structured context (never secret values). */
export class BulwarkError extends CodedError<ErrorCode> {
  override name = 'BulwarkError';
}

/** Reports whether a value is a BulwarkError, optionally with the given code. */
export function isBulwarkError(err: unknown, code?: ErrorCode): err is BulwarkError {
  return err instanceof BulwarkError && (code === undefined || err.code === code);
}

/** Returns a message for any thrown value without its stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
