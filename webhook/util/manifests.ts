/**
 * Reads Kubernetes manifests: multi-document YAML or JSON, with List objects flattened. Every
 * problem names the source and the document number.
 */
import { parseAllDocuments } from 'yaml';
import { BulwarkError } from '../errors.js';

/** One object read from a manifest, with where it came from. */
export interface ManifestObject {
  source: string;
  /** 1-based document number in the source (items of a List share their List's number). */
  document: number;
  object: Record<string, any>;
}

/** Parses manifests; throws BulwarkError(INPUT_INVALID) naming the source and document on bad input. */
export function parseManifests(text: string, source: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const n = i + 1;
    if (doc.errors.length) {
      throw new BulwarkError('INPUT_INVALID', `${source}: document ${n} is not valid YAML or JSON: ${doc.errors[0]!.message.split('\n')[0]}`, { source, document: n });
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new BulwarkError('INPUT_INVALID', `${source}: document ${n} must be a Kubernetes object (a mapping with apiVersion and kind)`, { source, document: n });
    }
    const obj = value as Record<string, any>;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      for (const item of obj.items) {
        if (item && typeof item === 'object' && !Array.isArray(item)) out.push({ source, document: n, object: item });
        else throw new BulwarkError('INPUT_INVALID', `${source}: document ${n} has a List item that is not an object`, { source, document: n });
      }
      return;
    }
    if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
      throw new BulwarkError('INPUT_INVALID', `${source}: document ${n} must have string apiVersion and kind`, { source, document: n });
    }
    out.push({ source, document: n, object: obj });
  });
  return out;
}
