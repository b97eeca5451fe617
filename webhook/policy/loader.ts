/**
 * The policy document loader: parse (multi-document YAML/JSON and Lists), validate (one JSON Schema
 * per kind, rule parameters, ConfigSchema compilation), load a directory, build the immutable set,
 * and keep it current (DocumentSource).
 */
export { parseDocuments } from './parse-documents.js';
export { validateDocument, isBulwarkObject } from './validate-document.js';
export { loadDirectory, listDocumentFiles } from './load-directory.js';
export { buildDocumentSet, countByKind, findDuplicates } from './document-set.js';
export { DocumentSource, type DocumentSourceOptions } from './document-source.js';
export { formatDocumentError, type DocumentError } from './document-error.js';
