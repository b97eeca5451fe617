/**
 * Schema validation of rendered content with ajv: content failing its ConfigSchema is never written.
 */
import YAML from 'yaml';
import { createAjv, type AjvInstance, type ErrorObject, type ValidateFunction } from '../spec/ajv.js';
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

/**
 * Describes ajv errors without values and without key names the schema does not contain: a
 * config file's problems by JSON path (`/port must be <= 65535`), a secret file's by schema path
 * (`#/properties/port/maximum must be <= 65535`), since its paths are made of keys from secret content.
 * The name of an unexpected key (ajv's additionalProperty) is never included.
 */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, secret: boolean): string[] {
  return (errors ?? []).map((e) => `${secret ? e.schemaPath : e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Validates data against a schema; throws SCHEMA_INVALID listing paths and messages (no values; for secret files no content key names). */
export function validateContent(data: unknown, schema: Record<string, unknown>, fileName: string, schemaName = 'inline', secret = false): void {
  const fn = compile(schema, schemaName);
  if (fn(data)) return;
  const problems = describeSchemaErrors(fn.errors, secret);
  throw new SidecarError('SCHEMA_INVALID', `content of ${fileName} fails ConfigSchema ${schemaName}: ${problems.join('; ')}`, { file: fileName, schema: schemaName, problems });
}
