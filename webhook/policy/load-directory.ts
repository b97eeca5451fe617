/**
 * Loads every .yaml, .yml and .json file under a directory into a DocumentSet, reporting each
 * problem with its file, object and JSON path.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BulwarkDocument, DocumentSet } from './documents.js';
import type { DocumentError } from './document-error.js';
import { buildDocumentSet, findDuplicates } from './document-set.js';
import { parseDocuments } from './parse-documents.js';

/** File names the loader reads. */
export const DOCUMENT_FILE = /\.(ya?ml|json)$/i;

/** Lists document files under a directory, recursively, sorted, skipping dot-files (editors' temp files, ..data links). */
export async function listDocumentFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listDocumentFiles(p)));
    else if ((e.isFile() || e.isSymbolicLink()) && DOCUMENT_FILE.test(e.name)) out.push(p);
  }
  return out;
}

/** Reads and validates every document file under dir; the set holds the valid documents. */
export async function loadDirectory(dir: string): Promise<{ set: DocumentSet; errors: DocumentError[]; docs: BulwarkDocument[]; sources: string[] }> {
  const docs: BulwarkDocument[] = [];
  const sources: string[] = [];
  const errors: DocumentError[] = [];
  let files: string[] = [];
  try {
    files = await listDocumentFiles(dir);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    errors.push({ source: dir, path: '/', message: `cannot read the policy directory (${reason})`, code: 'DOCUMENT_PARSE' });
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      errors.push({ source: file, path: '/', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, code: 'DOCUMENT_PARSE' });
      continue;
    }
    const r = parseDocuments(text, file);
    docs.push(...r.docs);
    sources.push(...r.docs.map(() => file));
    errors.push(...r.errors);
  }
  errors.push(...findDuplicates(docs, sources));
  return { set: buildDocumentSet(docs), errors, docs, sources };
}
