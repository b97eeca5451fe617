/**
 * Renders one file from its fetched layers: template, raw or a structured format, then validates
 * it against its schema. Pure: no I/O.
 */
import { SidecarError } from '../errors.js';
import type { FileSpec } from '../spec/types.js';
import { bytesAsText, mergeLayers, type Layer } from './merge.js';
import { serialise } from './formats.js';
import { renderTemplate } from './template.js';
import { parseForValidation, validateContent } from './validate.js';
import { asObject } from '../core/select-key.js';

/** Renders a file's content and validates it; throws RENDER_FAILED or SCHEMA_INVALID. */
export function renderFile(file: FileSpec, layers: readonly Layer[]): Buffer {
  let content: Buffer;
  let data: unknown;
  if (file.template !== undefined) {
    const view = mergeLayers(layers, file.kind);
    const text = renderTemplate(file.template, view, file.name);
    content = Buffer.from(text);
    data = file.schema ? parseForValidation(text) : undefined;
  } else if (file.format === 'raw') {
    if (layers.length !== 1) {
      throw new SidecarError('RENDER_FAILED', `file ${file.name} has format raw but ${layers.length} sources; use json, yaml, env or properties to merge layers`, { file: file.name });
    }
    const v = layers[0]!.value;
    content = Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(bytesAsText(v), null, 2));
    data = file.schema ? (typeof v === 'object' && !Buffer.isBuffer(v) ? bytesAsText(v) : (asObject(v) ?? parseForValidation(content.toString('utf8')))) : undefined;
  } else {
    const merged = mergeLayers(layers, file.kind);
    content = Buffer.from(serialise(merged, file.format, file.kind === 'secret'));
    data = merged;
  }
  if (file.schema) validateContent(data, file.schema, file.name, file.schemaName, file.kind === 'secret');
  return content;
}
