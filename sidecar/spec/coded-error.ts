/**
 * The one shape of Bulwark's errors, shared by the webhook's and the sidecar's catalogues: a
 * machine-readable code, context fields (never secret values) and an optional cause.
 */

/** An error with a catalogue code and structured context. */
export class CodedError<C extends string> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}
