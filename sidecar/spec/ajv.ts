/**
 * One way to build an ajv instance in strict mode (with formats), shared by the webhook and the sidecar.
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

/** Formats ajv errors as "JSON-path message" lines. */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
  });
}
