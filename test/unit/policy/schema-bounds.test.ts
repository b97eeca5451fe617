/**
 * ConfigSchema bounds and off-thread compilation: a schema over the bounds is refused before anything
 * compiles it, with the JSON path and what to change (admission, the policy directory and the sidecar
 * give the same problems); one within them compiles in a worker while the event loop keeps turning,
 * once per content; a compile past its deadline is stopped and reported, never a hang or a stack overflow.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  KNOWN_FORMATS,
  MAX_SCHEMA_BRANCHES,
  MAX_SCHEMA_BYTES,
  MAX_SCHEMA_JSON_DEPTH,
  MAX_SCHEMA_NESTING,
  MAX_SCHEMA_PATTERNS,
  MAX_SCHEMA_REFS,
  MAX_SCHEMA_VALUES,
  schemaBounds,
  type SchemaBound,
} from '../../../contract/schema-bounds.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { validateContent } from '../../../sidecar/render/validate.js';
import { buildDocumentSet } from '../../../webhook/policy/document-set.js';
import type { ConfigSchema } from '../../../webhook/policy/documents.js';
import { evaluate } from '../../../webhook/policy/engine.js';
import { createValidationHandler } from '../../../webhook/policy/handler.js';
import { loadDirectory } from '../../../webhook/policy/load-directory.js';
import { clearContentSchemaCache, compileContentSchemaNow, compileContentSchemaOffThread, compileCounters } from '../../../webhook/policy/schema-compile.js';
import { validateDocument } from '../../../webhook/policy/validate-document.js';
import { deeplyNestedSchema, largestAllowedSchema, refChainSchema } from '../../helpers/large-schemas.js';
import { policy, request, state } from './helpers.js';

const props = (n: number, each: (i: number) => unknown) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, each(i)]));
const nested = (levels: number) => {
  let s: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) s = { type: 'object', properties: { a: s } };
  return s;
};
const configSchema = (schema: Record<string, unknown>, name = 's'): ConfigSchema => ({ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigSchema', metadata: { name }, spec: { schema } });
const STACK = /Maximum call stack/;

describe('schema bounds: what is refused, where, and what to change', () => {
  const rows: Array<{ name: string; schema: Record<string, unknown>; want?: { kind: SchemaBound; path: string; message: RegExp } }> = [
    { name: 'a typical config schema', schema: { type: 'object', required: ['server'], properties: { server: { type: 'object', properties: { port: { type: 'integer', maximum: 65535 }, host: { type: 'string', format: 'hostname' } } }, readTimeout: { type: 'string', pattern: '^[0-9]+(ms|s|m)$' } } } },
    { name: 'keyword names used as property names', schema: { type: 'object', properties: { pattern: { type: 'string' }, format: { type: 'string' }, $ref: { type: 'string' }, anyOf: { type: 'array' } } } },
    { name: 'keywords inside data (enum, const, default, examples)', schema: { enum: [{ $ref: 'https://x.test/s.json', pattern: '(a+)+' }], default: { format: 'nope' }, examples: [{ $ref: 'x.json' }] } },
    { name: 'a recursive schema', schema: { $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } }, $ref: '#/$defs/node' } },
    { name: 'the largest allowed schema', schema: largestAllowedSchema() },
    { name: 'too many bytes', schema: { type: 'string', description: 'x'.repeat(MAX_SCHEMA_BYTES) }, want: { kind: 'bytes', path: '', message: /is \d+ bytes as JSON, more than the 262144 Bulwark compiles; shorten descriptions and examples, or split it into one ConfigSchema per data key/ } },
    { name: 'too many values', schema: { enum: Array.from({ length: MAX_SCHEMA_VALUES }, (_, i) => i) }, want: { kind: 'values', path: '', message: new RegExp(`holds more than ${MAX_SCHEMA_VALUES} JSON values`) } },
    { name: 'too deep as JSON', schema: nested(MAX_SCHEMA_JSON_DEPTH), want: { kind: 'depth', path: `${'/properties/a'.repeat(MAX_SCHEMA_JSON_DEPTH / 2)}`, message: /nests deeper than 64 JSON levels; flatten it: move nested parts into \$defs/ } },
    { name: 'a $ref chain longer than the nesting bound', schema: refChainSchema(MAX_SCHEMA_NESTING + 10), want: { kind: 'nesting', path: '/$defs/d31/properties/next', message: /chain of \d+ nested subschemas passes 64 levels, counting each \$ref followed as one level/ } },
    { name: 'too many branches', schema: { anyOf: Array.from({ length: MAX_SCHEMA_BRANCHES + 1 }, (_, i) => ({ const: i })) }, want: { kind: 'branches', path: '', message: /has 257 anyOf\/oneOf\/allOf branches in all \(the longest list, 257, at \/anyOf\), more than the 256 Bulwark compiles; merge branches/ } },
    { name: 'too many $refs', schema: { $defs: { s: { type: 'string' } }, properties: props(MAX_SCHEMA_REFS + 1, () => ({ $ref: '#/$defs/s' })) }, want: { kind: 'refs', path: '', message: /has 513 \$refs, more than the 512/ } },
    { name: 'a $ref outside the schema', schema: { properties: { a: { $ref: 'https://schemas.example/common.json#/port' } } }, want: { kind: 'ref', path: '/properties/a/$ref', message: /is "https:\/\/schemas.example\/common.json#\/port", which points outside this schema; .*copy the referenced schema into \$defs/ } },
    { name: 'too many patterns', schema: { properties: props(MAX_SCHEMA_PATTERNS + 1, () => ({ type: 'string', pattern: '^[a-z]+$' })) }, want: { kind: 'patterns', path: '', message: /has 257 regular expressions \(pattern, patternProperties\), more than the 256/ } },
    { name: 'a pattern with nested quantifiers', schema: { properties: { name: { type: 'string', pattern: '^(a+)+$' } } }, want: { kind: 'pattern', path: '/properties/name/pattern', message: /repeats a group that holds a quantifier.*rewrite it without the nesting/ } },
    { name: 'a patternProperties key with quantified alternation', schema: { type: 'object', patternProperties: { '^(a|ab)*/x$': { type: 'string' } } }, want: { kind: 'pattern', path: '/patternProperties/^(a|ab)*~1x$', message: /repeats a group that holds an alternation/ } },
    { name: 'a pattern with a backreference, under items', schema: { type: 'array', items: { pattern: '(x)\\1' } }, want: { kind: 'pattern', path: '/items/pattern', message: /backreference/ } },
    { name: 'an unknown format', schema: { $defs: { size: { type: 'integer', format: 'uint64' } } }, want: { kind: 'format', path: '/$defs/size/format', message: /is "uint64", a format Bulwark does not know; remove it, use a pattern, or use one of date, time/ } },
  ];
  for (const row of rows) {
    it(`${row.want ? 'refuses' : 'accepts'} ${row.name}`, () => {
      const { problems } = schemaBounds(row.schema);
      if (!row.want) return assert.deepEqual(problems, []);
      const p = problems.find((x) => x.kind === row.want!.kind);
      assert.ok(p, `a ${row.want.kind} problem: ${JSON.stringify(problems).slice(0, 300)}`);
      assert.equal(p.path, row.want.path);
      assert.match(p.message, row.want.message);
    });
  }

  it('knows exactly the formats ajv-formats adds', () => {
    const { formatNames } = createRequire(import.meta.url)('ajv-formats/dist/formats') as { formatNames: string[] };
    assert.deepEqual([...KNOWN_FORMATS].sort(), [...formatNames].sort());
  });

  it('lists at most 5 problems of one kind', () => {
    const { problems } = schemaBounds({ properties: props(20, () => ({ format: 'nope' })) });
    assert.equal(problems.filter((p) => p.kind === 'format').length, 5);
  });
});

describe('schema bounds: the 190 KB schemas of the issue get the bounds message, never a stack overflow', () => {
  const shapes = [
    { name: 'a 190 KB $ref chain', schema: refChainSchema(2000), want: /holds more than \d+ JSON values/ },
    { name: 'a 300-link $ref chain (ajv overflows at about 236)', schema: refChainSchema(300), want: /nested subschemas passes 64 levels/ },
    { name: 'a 190 KB deeply nested schema', schema: deeplyNestedSchema(190 * 1024), want: /nests deeper than 64 JSON levels/ },
  ];
  for (const shape of shapes) {
    it(`${shape.name}: document validation (policy directory, watched resources)`, () => {
      const r = validateDocument(configSchema(shape.schema), 'policies/s.yaml');
      assert.equal(r.doc, undefined);
      const text = r.errors.map((e) => `${e.path} ${e.message}`).join('; ');
      assert.match(text, shape.want);
      assert.doesNotMatch(text, STACK);
      assert.ok(r.errors.every((e) => e.path.startsWith('/spec/schema') && e.code === 'DOCUMENT_INVALID'));
    });

    it(`${shape.name}: admission denies it with 422`, async () => {
      const docs = buildDocumentSet([]);
      const h = createValidationHandler({ docs: () => docs, state: state(), ownNamespace: 'bulwark-system' });
      const obj = configSchema(shape.schema, 'big');
      const d = await h.handle({ ...request(obj as never, { group: 'bulwark.dev' }), kind: { group: 'bulwark.dev', version: 'v1alpha1', kind: 'ConfigSchema' } });
      assert.equal(d.allowed, false);
      if (d.allowed) return;
      assert.equal(d.code, 422);
      assert.match(d.message, /^ConfigSchema big is not a valid Bulwark document: \/spec\/schema/);
      assert.match(d.message, shape.want);
      assert.doesNotMatch(d.message, STACK);
    });

    it(`${shape.name}: the sidecar refuses it as SCHEMA_INVALID`, () => {
      assert.throws(
        () => validateContent({}, shape.schema, 'app.json', 'big'),
        (e: unknown) => isSidecarError(e, 'SCHEMA_INVALID') && /^ConfigSchema big is over Bulwark's schema bounds: /.test((e as Error).message) && shape.want.test((e as Error).message) && !STACK.test((e as Error).message),
      );
    });
  }

  it('the policy directory loader refuses such a document with the same message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-bounds-'));
    try {
      await writeFile(join(dir, 'schema.json'), JSON.stringify(configSchema({ anyOf: Array.from({ length: 300 }, (_, i) => ({ const: i })) }, 'wide')));
      const { errors, docs } = await loadDirectory(dir);
      assert.equal(docs.length, 0);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.object, 'ConfigSchema/wide');
      assert.equal(errors[0]!.path, '/spec/schema');
      assert.match(errors[0]!.message, /^has 300 anyOf\/oneOf\/allOf branches in all/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('schema compilation off the event loop', function () {
  // Generous: these tests assert what happens, never how fast (the deadline test sets its own).
  this.timeout(60_000);
  beforeEach(() => clearContentSchemaCache());

  /** Counts timer callbacks run while a promise is pending (a 1 ms timer, so the ticker leaves the CPU to the worker). */
  async function ticksWhile<T>(pending: Promise<T>): Promise<{ value: T; ticks: number }> {
    let ticks = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      ticks++;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const value = await pending;
    done = true;
    return { value, ticks };
  }

  it('keeps the event loop turning while the largest allowed schema compiles in a worker', async () => {
    const schema = largestAllowedSchema();
    const workers = compileCounters().workers;
    const { value, ticks } = await ticksWhile(compileContentSchemaOffThread(schema, { deadlineMs: 60_000 }));
    assert.equal(value.ok, true, value.ok ? '' : value.error);
    assert.ok(ticks > 0, 'the event loop turned while the schema compiled');
    assert.equal(compileCounters().workers, workers + 1);
    if (!value.ok) return;
    // The validator made from the worker's code behaves like ajv's own.
    assert.equal(value.validate({ kind: 'kind-7', name: 'web', port: 8080, limits: { cpu: '1' } }), true);
    assert.equal(value.validate({ kind: 'kind-7', name: 'Web', port: 0 }), false);
    assert.ok(value.validate.errors?.some((e) => e.instancePath === '/name' && e.keyword === 'pattern'));
  });

  it('refuses a schema over the bounds with the bounds message, before any worker starts', async () => {
    const workers = compileCounters().workers;
    const { value, ticks } = await ticksWhile(compileContentSchemaOffThread({ anyOf: Array.from({ length: 1200 }, (_, i) => ({ const: i })) }));
    assert.equal(value.ok, false);
    if (value.ok) return;
    assert.deepEqual(value.problems.map((p) => p.kind), ['branches']);
    assert.match(value.error, /has 1200 anyOf\/oneOf\/allOf branches/);
    assert.equal(compileCounters().workers, workers, 'no worker was started');
    assert.equal(ticks, 0, 'refused before the event loop turned once');
  });

  it('compiles the same content once: the same schema with its keys in another order is a cache hit', async () => {
    const schema = { type: 'object', required: ['port'], properties: { port: { type: 'integer', minimum: 1 } } };
    const first = await compileContentSchemaOffThread(schema);
    const { workers, compiledHere } = compileCounters();
    const again = await compileContentSchemaOffThread({ properties: { port: { minimum: 1, type: 'integer' } }, required: ['port'], type: 'object' });
    const now = compileContentSchemaNow(structuredClone(schema));
    assert.ok(first.ok && again.ok && now.ok);
    assert.equal(again.validate, first.validate);
    assert.equal(now.validate, first.validate);
    assert.deepEqual([compileCounters().workers, compileCounters().compiledHere], [workers, compiledHere]);
  });

  it('stops a compile at its deadline and reports the schema as too expensive; validation then refuses it without compiling', async () => {
    const schema = { ...largestAllowedSchema(), description: 'deadline test' };
    const result = await compileContentSchemaOffThread(schema, { deadlineMs: 1 });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.transient, true);
    assert.deepEqual(result.problems.map((p) => p.kind), ['deadline']);
    assert.match(result.error, /took more than 1 ms to compile, so Bulwark stopped compiling it; make it smaller/);
    const { compiledHere } = compileCounters();
    const r = validateDocument(configSchema(schema), 'admission');
    assert.match(r.errors.map((e) => e.message).join(), /took more than 1 ms to compile/);
    assert.equal(compileCounters().compiledHere, compiledHere, 'the main thread did not compile it');
  });

  it("reports ajv's refusal from the worker as an unusable JSON Schema", async () => {
    const result = await compileContentSchemaOffThread({ type: 'object', propertees: {} });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, /is not a usable JSON Schema: strict mode: unknown keyword: "propertees"/);
  });

  it('the schema rule validates ConfigMaps with the validator the worker compiled', async () => {
    const schema = { type: 'object', required: ['port'], properties: { port: { type: 'integer', maximum: 65535 } } };
    const compiled = await compileContentSchemaOffThread(schema);
    assert.ok(compiled.ok);
    const { compiledHere } = compileCounters();
    const docs = buildDocumentSet([policy('p', { rules: [{ rule: 'schema' }] }), configSchema(schema, 'ports')]);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-a', annotations: { 'bulwark.dev/schema': 'app.json=ports' } }, data: { 'app.json': '{"port": 99999}' } };
    const findings = evaluate({ request: request(cm), docs, state: state(), ownNamespace: 'bulwark-system' });
    assert.deepEqual(findings.map((f) => f.result), ['fail']);
    assert.match(findings[0]!.message, /does not match ConfigSchema ports: \/data\/app.json\/port must be <= 65535/);
    assert.equal(compileCounters().compiledHere, compiledHere);
  });
});
