/**
 * Schema validation of rendered content with ajv: content failing its ConfigSchema is never written.
 * A schema is checked against the same bounds as the webhook's (contract/schema-bounds.ts) before it
 * is compiled, so no schema in a spec can stall the sidecar or overflow its stack.
 */
import YAML from 'yaml';
import { describeSchemaProblems, schemaBounds } from '../../contract/schema-bounds.js';
import { createContentAjv, type AjvInstance, type ErrorObject, type ValidateFunction } from '../spec/ajv.js';
import { SidecarError } from '../errors.js';

let ajv: AjvInstance | undefined;
/** Validators by schema object (no work per render) and by content (specs reloaded with the same schemas). */
const byObject = new WeakMap<Record<string, unknown>, ValidateFunction>();
const byContent = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>, name: string): ValidateFunction {
  const known = byObject.get(schema);
  if (known) return known;
  const { problems } = schemaBounds(schema);
  if (problems.length) throw new SidecarError('SCHEMA_INVALID', `ConfigSchema ${name} is over Bulwark's schema bounds: ${describeSchemaProblems(problems)}`, { schema: name });
  const key = JSON.stringify(schema); // safe now: the bounds limit its depth
  let fn = byContent.get(key);
  if (!fn) {
    try {
      const { $id: _id, ...rest } = schema;
      ajv ??= createContentAjv({ strict: false });
      fn = ajv.compile(rest);
    } catch (err) {
      throw new SidecarError('SCHEMA_INVALID', `ConfigSchema ${name} is not a valid JSON Schema: ${(err as Error).message}`);
    }
    byContent.set(key, fn);
  }
  byObject.set(schema, fn);
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
