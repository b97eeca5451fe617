import assert from 'node:assert/strict';
import { renderFile } from '../../../sidecar/render/render-file.js';
import { mergeLayers, deepMerge } from '../../../sidecar/render/merge.js';
import { renderTemplate } from '../../../sidecar/render/template.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import type { FileSpec, SourceRef } from '../../../sidecar/spec/types.js';
import { getProperties } from 'properties-file';
import dotenv from 'dotenv';
import YAML from 'yaml';

const ref = (path: string, key?: string): SourceRef => ({ store: 's', path, ...(key ? { key } : {}) });
const file = (over: Partial<FileSpec>): FileSpec => ({ name: 'f', kind: 'config', sources: [ref('a')], format: 'json', mode: 0o400, ...over });

describe('sidecar renderer', () => {
  const layers = [
    { ref: ref('base'), value: '{"db":{"host":"a","port":5432},"list":[1,2],"name":"base"}' },
    { ref: ref('env'), value: 'db:\n  host: b\nlist: [3]\n' },
    { ref: ref('over'), value: { name: 'over' } },
  ];
  const rows: Array<{ name: string; format: FileSpec['format']; check: (out: string) => void }> = [
    { name: 'json merges later-wins deeply', format: 'json', check: (o) => assert.deepEqual(JSON.parse(o), { db: { host: 'b', port: 5432 }, list: [3], name: 'over' }) },
    { name: 'yaml round-trips', format: 'yaml', check: (o) => assert.deepEqual(YAML.parse(o), { db: { host: 'b', port: 5432 }, list: [3], name: 'over' }) },
    { name: 'env flattens with _', format: 'env', check: (o) => assert.deepEqual(dotenv.parse(o), { db_host: 'b', db_port: '5432', list: '[3]', name: 'over' }) },
    { name: 'properties flattens with dots', format: 'properties', check: (o) => assert.deepEqual(getProperties(o), { 'db.host': 'b', 'db.port': '5432', list: '[3]', name: 'over' }) },
  ];
  for (const row of rows) {
    it(row.name, () => row.check(renderFile(file({ format: row.format, sources: layers.map((l) => l.ref) }), layers).toString()));
  }

  it('escapes env and properties values so they parse back exactly', () => {
    const tricky = { k: 'a "quoted" $HOME\nline2 = x # y \u00e9', k2: "it's \\ \n" };
    assert.deepEqual(dotenv.parse(renderFile(file({ format: 'env' }), [{ ref: ref('x'), value: tricky }]).toString()), tricky);
    assert.deepEqual(getProperties(renderFile(file({ format: 'properties' }), [{ ref: ref('x'), value: { 'a key=': tricky.k, k2: tricky.k2 } }]).toString()), { 'a key=': tricky.k, k2: tricky.k2 });
  });

  it('puts a scalar under its #key or its last path segment', () => {
    assert.deepEqual(mergeLayers([{ ref: ref('db/password'), value: 's3cret' }]), { password: 's3cret' });
    assert.deepEqual(mergeLayers([{ ref: ref('db', 'user'), value: 'app' }]), { user: 'app' });
  });

  it('parses env and properties text layers', () => {
    assert.deepEqual(mergeLayers([{ ref: ref('a'), value: 'A=1\nB="two words"\n' }]), { A: '1', B: 'two words' });
    assert.deepEqual(mergeLayers([{ ref: ref('a'), value: 'a.b=1\nc : 2\n' }]), { 'a.b': '1', c: '2' });
  });

  it('raw passes bytes through untouched and refuses several sources', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.ok(renderFile(file({ format: 'raw' }), [{ ref: ref('a'), value: bytes }]).equals(bytes));
    assert.throws(() => renderFile(file({ format: 'raw', sources: [ref('a'), ref('b')] }), [{ ref: ref('a'), value: 'x' }, { ref: ref('b'), value: 'y' }]), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
  });

  it('ignores prototype-pollution keys when merging', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>);
    assert.deepEqual(merged, { a: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  describe('templates', () => {
    it('renders values without HTML escaping', () => {
      assert.equal(renderTemplate('url=postgres://{{user}}:{{pass}}@{{host}}', { user: 'u', pass: 'p&<>"', host: 'h' }, 'f'), 'url=postgres://u:p&<>"@h');
    });
    it('refuses partials, so nothing is read from disk', () => {
      assert.throws(() => renderTemplate('{{> /etc/passwd}}', {}, 'f'), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
      assert.throws(() => renderTemplate('{{#a}}{{> x}}{{/a}}', { a: true }, 'f'), /partial/);
    });
    it('has no access to the environment or lambdas', () => {
      process.env.BULWARK_TEST_SECRET = 'leak';
      assert.equal(renderTemplate('[{{BULWARK_TEST_SECRET}}][{{process.env.BULWARK_TEST_SECRET}}][{{fn}}]', { fn: () => 'ran' } as Record<string, unknown>, 'f'), '[][][]');
      delete process.env.BULWARK_TEST_SECRET;
    });
    it('reports syntax errors as RENDER_FAILED', () => {
      assert.throws(() => renderTemplate('{{#open}}', {}, 'f'), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
    });
  });

  describe('schema validation', () => {
    const schema = { type: 'object', required: ['port'], properties: { port: { type: 'integer', maximum: 65535 } } };
    it('accepts valid content', () => {
      assert.equal(JSON.parse(renderFile(file({ schema }), [{ ref: ref('a'), value: { port: 80 } }]).toString()).port, 80);
    });
    it('refuses invalid content with paths but no values', () => {
      assert.throws(
        () => renderFile(file({ schema, schemaName: 'app' }), [{ ref: ref('a'), value: { port: 99999 } }]),
        (e: unknown) => isSidecarError(e, 'SCHEMA_INVALID') && /\/port must be <= 65535/.test((e as Error).message) && !(e as Error).message.includes('99999'),
      );
    });
    it('validates template output too', () => {
      assert.throws(() => renderFile(file({ schema, template: '{"port": "{{p}}"}' }), [{ ref: ref('a'), value: { p: 'x' } }]), (e: unknown) => isSidecarError(e, 'SCHEMA_INVALID'));
    });
  });
});
