/**
 * The worker thread that compiles one ConfigSchema content schema for schema-compile.ts: ajv's
 * standalone code for it, run once so that V8 compiles the validator here, and V8's code cache of that
 * compilation, so the main thread neither compiles the schema nor the generated code. One worker per
 * schema; the main thread terminates it at the deadline.
 */
import { parentPort, workerData } from 'node:worker_threads';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { createContentAjv } from '../../sidecar/spec/ajv.js';
import { loadValidator, type CompileAnswer, type CompileRequest } from './schema-compile-code.js';

type Standalone = (typeof standaloneModule extends { default: infer F } ? F : typeof standaloneModule);
const standaloneCode = ((standaloneModule as unknown as { default?: Standalone }).default ?? standaloneModule) as Standalone;

/** Compiles the schema into standalone code and V8's code cache for it. */
function compile(request: CompileRequest): { answer: CompileAnswer; transfer: ArrayBuffer[] } {
  try {
    const ajv = createContentAjv({ code: { source: true } });
    const source = standaloneCode(ajv, ajv.compile(request.schema as Record<string, unknown>));
    const { validate, script } = loadValidator(source, request.filename);
    // V8 compiles a function on its first call; the cache made afterwards holds that work.
    validate({});
    const cache = new Uint8Array(script.createCachedData());
    return { answer: { ok: true, source, cache }, transfer: [cache.buffer] };
  } catch (err) {
    return { answer: { ok: false, error: err instanceof Error ? err.message : String(err) }, transfer: [] };
  }
}

const { answer, transfer } = compile(workerData as CompileRequest);
parentPort?.postMessage(answer, transfer);
