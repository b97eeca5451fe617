/**
 * Prints review results for people: one line per object, then its reasons, warnings and patch.
 */
import type { ReviewResult } from './review.js';

/** Formats results as plain text. */
export function formatText(results: ReviewResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const id = `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(unnamed)'}`;
    lines.push(`${r.allowed ? 'ALLOWED' : 'DENIED '} ${id}  (${r.source}, document ${r.document})`);
    if (r.message) for (const l of r.message.split('\n')) lines.push(`  denied: ${l}`);
    for (const w of r.warnings) lines.push(`  warning: ${w}`);
    if (r.patch.length) {
      lines.push(`  patch: ${r.patch.length} operations`);
      for (const op of r.patch) lines.push(`    ${op.op} ${op.path}`);
    }
  }
  const denied = results.filter((r) => !r.allowed).length;
  lines.push(`${results.length} objects reviewed: ${results.length - denied} allowed, ${denied} denied`);
  return `${lines.join('\n')}\n`;
}
