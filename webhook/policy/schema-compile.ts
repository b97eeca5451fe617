/**
 * Compiles ConfigSchema content schemas without holding up reviews: the bounds first
 * (contract/schema-bounds.ts, pure and cheap), then one cache keyed by a hash of the schema's content,
 * shared by every document and request, then ajv: in a worker thread with a deadline
 * (compileContentSchemaOffThread: a ConfigSchema under admission review, a watched one arriving), or on
 * the calling thread for a schema the cache does not hold (compileContentSchemaNow: policy files, read
 * at startup before the server listens and on reload; the bounds keep that to about half a second).
 *
 * Design: a validator is a function and cannot cross threads, so the worker generates ajv's standalone
 * code (ajv/dist/standalone), runs it once and returns the code with V8's code cache; the main thread
 * loads the code with that cache (schema-compile-code.ts). Proving in the worker that compilation fits
 * and compiling again on the main thread would stall the main thread anyway: for the largest allowed
 * schema 0.3 s of ajv plus 0.17 s of V8 at the first validation (test/bench/schema-bench.ts), where
 * the worker's answer costs the main thread about 55 ms in all, its longest stall about 35 ms.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describeSchemaProblems, schemaBounds, type SchemaBound, type SchemaBoundsResult, type SchemaStats } from '../../contract/schema-bounds.js';
import { createContentAjv, type ValidateFunction } from '../../sidecar/spec/ajv.js';
import { loadValidator, type CompileAnswer, type CompileRequest } from './schema-compile-code.js';

/** A worker still compiling after this long is terminated and the schema reported as too expensive. */
export const COMPILE_DEADLINE_MS = 2000;
/** Workers compiling at once; more compiles wait for a free worker. */
export const MAX_PARALLEL_COMPILES = 2;
/** Compiles that may wait for a worker; past that a compile is refused as busy (retry later). */
export const MAX_WAITING_COMPILES = 16;
/** Heap a compile worker may use (the largest allowed schema needs well under half of it). */
export const COMPILE_WORKER_HEAP_MB = 256;
/** What the cache holds, in JSON values of the schemas (the largest allowed schema has 5,000; typical ones 400–1,500). */
export const COMPILE_CACHE_VALUES = 100_000;
/** A deadline or busy outcome is remembered this long, then the schema may be compiled again. */
export const RETRY_AFTER_MS = 10_000;

/** Why a content schema cannot be used: a bound, ajv's refusal, the deadline, the worker's memory, a full queue, or a worker that could not run. */
export type ContentSchemaProblemKind = SchemaBound | 'invalid' | 'deadline' | 'memory' | 'busy' | 'worker';

/** One problem of a content schema: kind, JSON Pointer into the schema ("" for all of it), what to change. */
export interface ContentSchemaProblem {
  kind: ContentSchemaProblemKind;
  path: string;
  message: string;
}

/** The result of compiling a content schema; a transient failure (deadline, busy) may succeed later. */
export type CompiledContentSchema =
  | { ok: true; validate: ValidateFunction }
  | { ok: false; error: string; problems: ContentSchemaProblem[]; transient?: true };

interface Entry {
  result: CompiledContentSchema;
  weight: number;
  expires: number;
}

/** Bounds and key per schema object: admission checks a schema off-thread, then validates the same object. */
const analysed = new WeakMap<object, { bounds: SchemaBoundsResult; key: string }>();
const cache = new Map<string, Entry>();
let cachedWeight = 0;
const inFlight = new Map<string, Promise<CompiledContentSchema>>();
let active = 0;
const waiting: Array<() => void> = [];
const counters = { workers: 0, compiledHere: 0, hits: 0 };
const WORKER_URL = new URL('./schema-compile-worker.js', import.meta.url);

/** The cache key of a schema: SHA-256 of its JSON with keys sorted (the same schema from a file or the API server). */
export function contentSchemaKey(schema: unknown): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

/** JSON with object keys sorted; only called on schemas within the depth bound. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The bounds of a schema and, when within them, its cache key (memoised per object; schemas are never mutated). */
function analyse(schema: unknown): { bounds: SchemaBoundsResult; key: string } {
  const isObject = typeof schema === 'object' && schema !== null;
  const known = isObject ? analysed.get(schema) : undefined;
  if (known) return known;
  const bounds = schemaBounds(schema);
  const out = { bounds, key: bounds.problems.length ? '' : contentSchemaKey(schema) };
  if (isObject) analysed.set(schema, out);
  return out;
}

function failure(problems: ContentSchemaProblem[], transient = false): CompiledContentSchema {
  const out: CompiledContentSchema = { ok: false, error: describeSchemaProblems(problems), problems };
  if (transient) out.transient = true;
  return out;
}

function invalid(message: string): CompiledContentSchema {
  return failure([{ kind: 'invalid', path: '', message: `is not a usable JSON Schema: ${message}` }]);
}

function lookup(key: string): CompiledContentSchema | undefined {
  const e = cache.get(key);
  if (!e) return undefined;
  cache.delete(key);
  if (e.expires < Date.now()) {
    cachedWeight -= e.weight;
    return undefined;
  }
  cache.set(key, e); // most recently used last
  counters.hits++;
  return e.result;
}

function remember(key: string, result: CompiledContentSchema, stats: SchemaStats): void {
  const old = cache.get(key);
  if (old) cachedWeight -= old.weight;
  cache.delete(key);
  const weight = Math.max(stats.values, 1);
  cache.set(key, { result, weight, expires: !result.ok && result.transient ? Date.now() + RETRY_AFTER_MS : Infinity });
  cachedWeight += weight;
  for (const [k, e] of cache) {
    if (cachedWeight <= COMPILE_CACHE_VALUES || k === key) break;
    cache.delete(k);
    cachedWeight -= e.weight;
  }
}

/**
 * Compiles a content schema on this thread, through the cache; refuses it without compiling when it
 * is over the bounds. Used where validation must be synchronous (document validation, the schema rule).
 */
export function compileContentSchemaNow(schema: unknown): CompiledContentSchema {
  const { bounds, key } = analyse(schema);
  if (bounds.problems.length) return failure(bounds.problems);
  const hit = lookup(key);
  if (hit) return hit;
  let result: CompiledContentSchema;
  try {
    // A fresh instance per schema: user schemas may reuse $id values across documents.
    result = { ok: true, validate: createContentAjv().compile(schema as Record<string, unknown>) };
  } catch (err) {
    result = invalid(err instanceof Error ? err.message : String(err));
  }
  counters.compiledHere++;
  remember(key, result, bounds.stats);
  return result;
}

/**
 * Compiles a content schema in a worker thread with a deadline, through the cache (so that a later
 * compileContentSchemaNow of the same content finds it); refuses it without a worker when it is over the
 * bounds. The event loop stays free meanwhile; the same schema compiling twice at once shares one worker.
 */
export function compileContentSchemaOffThread(schema: unknown, opts: { deadlineMs?: number } = {}): Promise<CompiledContentSchema> {
  const { bounds, key } = analyse(schema);
  if (bounds.problems.length) return Promise.resolve(failure(bounds.problems));
  const hit = lookup(key);
  if (hit) return Promise.resolve(hit);
  const running = inFlight.get(key);
  if (running) return running;
  if (waiting.length >= MAX_WAITING_COMPILES) {
    const busy = failure([{ kind: 'busy', path: '', message: `was not compiled: Bulwark is already compiling ${active + waiting.length} other ConfigSchemas; retry in a few seconds` }], true);
    remember(key, busy, bounds.stats);
    return Promise.resolve(busy);
  }
  const compiling = inWorkerSlot(() => compileInWorker(schema, key, opts.deadlineMs ?? COMPILE_DEADLINE_MS))
    .then((result) => {
      remember(key, result, bounds.stats);
      return result;
    })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, compiling);
  return compiling;
}

/** Runs a compile when one of the MAX_PARALLEL_COMPILES workers is free. */
async function inWorkerSlot<T>(run: () => Promise<T>): Promise<T> {
  if (active >= MAX_PARALLEL_COMPILES) await new Promise<void>((resolve) => waiting.push(resolve));
  else active++;
  try {
    return await run();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes on: active stays the same
    else active--;
  }
}

/** Compiles in a new worker; terminates it at the deadline, when it runs out of memory, or once it has answered. */
function compileInWorker(schema: unknown, key: string, deadlineMs: number): Promise<CompiledContentSchema> {
  const filename = `bulwark-configschema-${key.slice(0, 16)}.js`;
  const request: CompileRequest = { schema, filename };
  counters.workers++;
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL, { workerData: request, resourceLimits: { maxOldGenerationSizeMb: COMPILE_WORKER_HEAP_MB } });
    } catch (err) {
      return resolve(failure([{ kind: 'worker', path: '', message: `could not be compiled: no compile worker (${err instanceof Error ? err.message : String(err)}); retry` }], true));
    }
    let settled = false;
    const settle = (result: CompiledContentSchema) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => {
      const message = `took more than ${deadlineMs} ms to compile, so Bulwark stopped compiling it; make it smaller (fewer anyOf/oneOf/allOf branches, properties and patterns), or split it into one ConfigSchema per data key`;
      settle(failure([{ kind: 'deadline', path: '', message }], true));
    }, deadlineMs);
    worker.once('message', (answer: CompileAnswer) => settle(answer.ok ? load(answer, filename) : invalid(answer.error)));
    worker.once('error', (err: Error & { code?: string }) => {
      if (err.code !== 'ERR_WORKER_OUT_OF_MEMORY') return settle(invalid(err.message));
      const message = `needs more than ${COMPILE_WORKER_HEAP_MB} MB to compile; make it smaller (fewer anyOf/oneOf/allOf branches, properties and $refs)`;
      settle(failure([{ kind: 'memory', path: '', message }]));
    });
    worker.once('exit', (code) => settle(failure([{ kind: 'worker', path: '', message: `could not be compiled: the compile worker stopped (exit code ${code}); retry` }], true)));
  });
}

/** Loads the worker's code with its code cache on this thread. */
function load(answer: { source: string; cache: Uint8Array }, filename: string): CompiledContentSchema {
  try {
    return { ok: true, validate: loadValidator(answer.source, filename, answer.cache).validate };
  } catch (err) {
    return invalid(err instanceof Error ? err.message : String(err));
  }
}

/** Empties the compile cache (benchmarks measure the cold cost with it; tests start clean). */
export function clearContentSchemaCache(): void {
  cache.clear();
  cachedWeight = 0;
}

/** How many workers were started, schemas compiled on this thread, and cache hits, since the process started. */
export function compileCounters(): Readonly<typeof counters> {
  return { ...counters };
}
