/**
 * The review result of one object, as the CLI collects it and the report formatters read it.
 */
import type { Finding } from '../findings.js';

/** The findings for one object of a reviewed manifest. */
export interface ObjectResult {
  /** The file the object came from. */
  source: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Whether admission would allow the object. */
  allowed: boolean;
  findings: Finding[];
}

/** Names an object "Kind/namespace/name" (or "Kind/name"). */
export function objectId(r: ObjectResult): string {
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}
