/**
 * The error a document load reports: which file or object, which JSON path, what is wrong.
 */
import type { ErrorCode } from '../errors.js';

/** One problem with one document. */
export interface DocumentError {
  /** The file the document came from, or "cluster" for a custom resource. */
  source: string;
  /** The object, e.g. "ConfigPolicy/prod-config" or "document 3" when it has no name. */
  object?: string;
  /** A JSON pointer into the document ("/" for the whole document). */
  path: string;
  message: string;
  code: ErrorCode;
}

/** Formats a document error on one line: "file: object /path message". */
export function formatDocumentError(e: DocumentError): string {
  return `${e.source}: ${e.object ? `${e.object} ` : ''}${e.path} ${e.message}`;
}

/** Names a document for errors and logs. */
export function documentLabel(obj: unknown, index?: number): string | undefined {
  const o = obj as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | undefined;
  const name = o?.metadata?.name;
  if (typeof name !== 'string' || !name) return index === undefined ? undefined : `document ${index + 1}`;
  const kind = typeof o?.kind === 'string' ? o.kind : 'object';
  const ns = typeof o?.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return `${kind}/${ns}${name}`;
}
