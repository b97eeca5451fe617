/**
 * The status annotation that marks an injected pod: "injected; spec-sha256=<hex>". Its hash makes
 * injection idempotent under reinvocation and on UPDATE.
 */
import { createHash } from 'node:crypto';

/** The status word of an injected pod. */
export const STATUS_INJECTED = 'injected';

const STATUS_RE = /^injected; spec-sha256=([0-9a-f]{64})$/;

/** The SHA-256 (hex) of a spec's JSON text. */
export function specHash(specJson: string): string {
  return createHash('sha256').update(specJson).digest('hex');
}

/** The status annotation value for a spec hash. */
export function statusValue(hash: string): string {
  return `${STATUS_INJECTED}; spec-sha256=${hash}`;
}

/** The spec hash recorded in a status annotation, or undefined when absent or malformed. */
export function parseStatus(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return STATUS_RE.exec(value.trim())?.[1];
}
