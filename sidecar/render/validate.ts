/**
 * Schema validation of rendered content with ajv: content failing its ConfigSchema is never written.
 */
import YAML from 'yaml';
import { createAjv, formatAjvErrors, type AjvInstance, type ValidateFunction } from '../spec/ajv.js';
import { SidecarError } from '../errors.js';

let ajv: AjvInstance | undefined;
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>, name: string): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) {
    try {
      const { $id: _id, ...rest } = schema;
      ajv ??= createAjv({ strict: false });
      fn = ajv.compile(rest);
    } catch (err) {
      throw new SidecarError('SCHEMA_INVALID', `ConfigSchema ${name} is not a valid JSON Schema: ${(err as Error).message}`);
    }
    compiled.set(key, fn);
  }
  return fn;
}

/** Parses rendered text as JSON or YAML for validation; undefined when it is neither. */
export function parseForValidation(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return YAML.parse(text);
    } catch {
      return undefined;
    }
  }
}

/** Validates data against a schema; throws SCHEMA_INVALID listing JSON paths and messages (no values). */
export function validateContent(data: unknown, schema: Record<string, unknown>, fileName: string, schemaName = 'inline'): void {
  const fn = compile(schema, schemaName);
  if (fn(data)) return;
  const problems = formatAjvErrors(fn.errors);
  throw new SidecarError('SCHEMA_INVALID', `content of ${fileName} fails ConfigSchema ${schemaName}: ${problems.join('; ')}`, { file: fileName, schema: schemaName, problems });
}
