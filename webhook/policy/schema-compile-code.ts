/**
 * Turns ajv's standalone validation code (a CommonJS module's text) into a validate function, the same
 * way in the worker that generates it and on the main thread that uses it, so that V8's code cache made
 * in the worker matches the script the main thread loads. Also the messages the two threads exchange.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import type { ValidateFunction } from '../../sidecar/spec/ajv.js';

/** What the main thread sends a compile worker. */
export interface CompileRequest {
  schema: unknown;
  /** The name the generated script gets in stack traces (both threads use it). */
  filename: string;
}

/** What a compile worker answers: the module text and V8's code cache for it, or ajv's error message. */
export type CompileAnswer = { ok: true; source: string; cache: Uint8Array } | { ok: false; error: string };

/** The generated code requires ajv's runtime helpers and ajv-formats' format checks: resolved from here. */
const requireForCode = createRequire(import.meta.url);

/** Wraps module text so that running the script returns a function of (module, exports, require). */
function wrap(source: string): string {
  return `(function (module, exports, require) {\n${source}\n})`;
}

/**
 * Loads standalone validation code as a validate function (errors on `validate.errors`, like ajv's own),
 * reusing V8's code cache when given one. Returns the script too, for the worker to make that cache.
 * The code is ajv's output for a schema that passed the bounds: as trusted as ajv.compile's own eval.
 */
export function loadValidator(source: string, filename: string, cachedData?: Uint8Array): { validate: ValidateFunction; script: vm.Script } {
  const script = new vm.Script(wrap(source), cachedData ? { filename, cachedData } : { filename });
  const factory = script.runInThisContext() as (module: { exports: unknown }, exports: unknown, require: NodeJS.Require) => void;
  const module = { exports: {} as unknown };
  factory(module, module.exports, requireForCode);
  if (typeof module.exports !== 'function') throw new Error('the generated validation code exports no function');
  return { validate: module.exports as ValidateFunction, script };
}
