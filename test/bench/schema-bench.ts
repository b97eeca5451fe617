/**
 * Prints what compiling ConfigSchema content schemas costs: the largest schema the bounds allow, cold
 * (in a worker, and on the main thread as the policy-directory path does) and cached, next to a
 * baseline measured in the same run (the example app-config schema of policies/, cold, on the main
 * thread). For each cold row it also prints how long the main thread was busy and its longest stall,
 * which is what reviews would wait for. Prints figures and ratios; asserts nothing.
 * Run from the repository root: node dist/test/bench/schema-bench.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { schemaBounds } from '../../contract/schema-bounds.js';
import { clearContentSchemaCache, compileContentSchemaNow, compileContentSchemaOffThread, type CompiledContentSchema } from '../../webhook/policy/schema-compile.js';
import { largestAllowedSchema } from '../helpers/large-schemas.js';

const RUNS = 5;

interface Cost {
  /** Wall time until the result, median of RUNS. */
  ms: number;
  /** Main-thread busy time meanwhile (event-loop utilisation), median. */
  busyMs: number;
  /** Longest event-loop stall meanwhile, median. */
  stallMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs a compile RUNS times and measures wall time, busy time and stalls. Cold: the cache is cleared and
 * each run gets a fresh copy of the schema (nothing memoised per object); warm: the same object each time.
 */
async function measure(schema: Record<string, unknown>, compile: (s: Record<string, unknown>) => CompiledContentSchema | Promise<CompiledContentSchema>, cold: boolean): Promise<Cost> {
  const walls: number[] = [];
  const busy: number[] = [];
  const stalls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (cold) clearContentSchemaCache();
    const input = cold ? structuredClone(schema) : schema;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // The sampler measures between its own ticks: let it tick once before the compile starts.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const elu = performance.eventLoopUtilization();
    const start = performance.now();
    const r = await compile(input);
    // One more turn so a stall that ended with the result is recorded.
    await new Promise((resolve) => setTimeout(resolve, 2));
    walls.push(performance.now() - start - 2);
    busy.push(performance.eventLoopUtilization(elu).active);
    delay.disable();
    stalls.push(delay.max / 1e6);
    if (!r.ok) throw new Error(`the benchmark schema does not compile: ${r.error}`);
  }
  return { ms: median(walls), busyMs: median(busy), stallMs: median(stalls) };
}

function row(name: string, c: Cost, baseline: Cost): void {
  const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
  console.log(`${name.padEnd(52)} ${fmt(c.ms).padStart(9)} (${(c.ms / baseline.ms).toFixed(2).padStart(6)}x baseline)  main thread busy ${fmt(c.busyMs).padStart(8)}, longest stall ${fmt(c.stallMs).padStart(8)}`);
}

async function main(): Promise<void> {
  const text = readFileSync(join(process.cwd(), 'policies/schemas/app-config.yaml'), 'utf8');
  const example = (parseAllDocuments(text)[0]!.toJS() as { spec: { schema: Record<string, unknown> } }).spec.schema;
  const largest = largestAllowedSchema();
  const { stats } = schemaBounds(largest);
  console.log(`largest allowed ConfigSchema: ${stats.bytes} bytes, ${stats.values} JSON values, ${stats.branches} branches, ${stats.refs} $refs, ${stats.patterns} patterns; baseline: policies/schemas/app-config.yaml, ${schemaBounds(example).stats.values} values`);

  // Warm the process (module loading, ajv's own first compile) before measuring anything.
  compileContentSchemaNow({ type: 'object' });
  await compileContentSchemaOffThread({ type: 'string' });

  const now = (s: Record<string, unknown>) => compileContentSchemaNow(s);
  const offThread = (s: Record<string, unknown>) => compileContentSchemaOffThread(s, { deadlineMs: 60_000 });
  const baseline = await measure(example, now, true);
  row('baseline: example schema, cold, main thread', baseline, baseline);
  row('largest allowed ConfigSchema compile, cold, worker', await measure(largest, offThread, true), baseline);
  row('largest allowed ConfigSchema compile, cold, main thread', await measure(largest, now, true), baseline);
  await offThread(largest);
  const copies = Array.from({ length: RUNS }, () => structuredClone(largest));
  row('largest allowed ConfigSchema compile, cached (new copy)', await measure(largest, () => now(copies.pop()!), false), baseline);
  row('largest allowed ConfigSchema compile, cached (same object)', await measure(largest, now, false), baseline);
  const accept = (): CompiledContentSchema => ({ ok: true, validate: (() => true) as never });
  row('bounds check alone, largest allowed', await measure(largest, (s) => (schemaBounds(s), accept()), true), baseline);
  const over = { anyOf: Array.from({ length: 1200 }, (_, i) => ({ type: 'object', properties: { kind: { const: i } } })) };
  row('1,200-branch schema (the issue: 10 s), refused', await measure(over, async (s) => ((await offThread(s)).ok ? accept() : accept()), true), baseline);

  // First validations: the worker's validator comes with V8's code cache, the main-thread one without.
  clearContentSchemaCache();
  const fromWorker = await compileContentSchemaOffThread(largest, { deadlineMs: 60_000 });
  clearContentSchemaCache();
  const fromHere = compileContentSchemaNow(largest);
  const sample = { kind: 'kind-100', name: 'web', port: 8080 };
  for (const [name, r] of [['worker-compiled', fromWorker], ['main-thread-compiled', fromHere]] as const) {
    if (!r.ok) continue;
    const start = performance.now();
    r.validate(sample);
    const first = performance.now() - start;
    const t = performance.now();
    for (let i = 0; i < 1000; i++) r.validate(sample);
    console.log(`  ${name} validator: first call ${first.toFixed(2)} ms, then ${(((performance.now() - t) / 1000) * 1000).toFixed(1)} us per object`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
