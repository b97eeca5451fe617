/**
 * One way to build an ajv instance in strict mode (with formats), shared by the webhook and the sidecar,
 * and the variant for user-supplied content schemas (ConfigSchemas), whose generated code must stay
 * proportional to the schema.
 */
import AjvModule from 'ajv';
import type { Options, ValidateFunction, ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';

type AjvInstance = import('ajv').default;
const Ajv = (AjvModule as unknown as { default: new (o?: Options) => AjvInstance }).default ?? (AjvModule as unknown as new (o?: Options) => AjvInstance);
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (a: AjvInstance) => AjvInstance;

export type { ValidateFunction, ErrorObject, AjvInstance };

/** Creates an ajv instance in strict mode that reports every error and knows the standard formats. */
export function createAjv(opts: Options = {}): AjvInstance {
  const ajv = new Ajv({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true, ...opts });
  addFormats(ajv);
  return ajv;
}

/**
 * Creates an ajv instance for a user-supplied content schema (a ConfigSchema's spec.schema). Type and
 * tuple strictness are off (real-world schemas rely on both); a $ref is inlined only when its target has
 * at most 8 keywords, so a large definition referred to hundreds of times is one function, not hundreds
 * of copies (inlining it ran a worker out of memory); and the code optimiser is off: it made compile
 * time superlinear (256 oneOf branches: 1.2 s with it, 0.4 s without) and the code only 10% smaller.
 * Callers bound the schema first (contract/schema-bounds.ts).
 */
export function createContentAjv(opts: Options = {}): AjvInstance {
  return createAjv({ strictTypes: false, strictTuples: false, inlineRefs: 8, ...opts, code: { optimize: false, ...opts.code } });
}

/** Formats ajv errors as "JSON-path message" lines. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
  });
}
