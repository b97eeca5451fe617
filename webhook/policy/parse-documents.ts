/**
 * Parses YAML or JSON text holding one or more documents (and List objects) into validated Bulwark
 * documents, ignoring other kinds (such as the Namespace list in policies/).
 */
import { parseAllDocuments } from 'yaml';
import type { BulwarkDocument } from './documents.js';
import type { DocumentError } from './document-error.js';
import { isBulwarkObject, validateDocument } from './validate-document.js';

/** Parses every document in a text; errors name the source, the object and the JSON path. */
export function parseDocuments(text: string, source: string): { docs: BulwarkDocument[]; errors: DocumentError[] } {
  const docs: BulwarkDocument[] = [];
  const errors: DocumentError[] = [];
  let index = 0;
  for (const yamlDoc of parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true })) {
    const n = index++;
    if (yamlDoc.errors.length) {
      const e = yamlDoc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      errors.push({ source, object: `document ${n + 1}`, path: '/', message: `is not valid YAML${line ? ` (line ${line})` : ''}: ${e.code}`, code: 'DOCUMENT_PARSE' });
      continue;
    }
    const value = yamlDoc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    const items = isList(value) ? (value as { items: unknown[] }).items : [value];
    items.forEach((item, i) => {
      if (!isBulwarkObject(item)) return;
      const r = validateDocument(item, source, isList(value) ? i : n);
      if (r.doc) docs.push(r.doc);
      errors.push(...r.errors);
    });
  }
  return { docs, errors };
}

function isList(v: unknown): boolean {
  const o = v as { kind?: unknown; items?: unknown } | null;
  return typeof o?.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items);
}
