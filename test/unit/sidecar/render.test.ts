import assert from 'node:assert/strict';
import { renderFile } from '../../../sidecar/render/render-file.js';
import { mergeLayers, deepMerge } from '../../../sidecar/render/merge.js';
import { renderTemplate } from '../../../sidecar/render/template.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { selectKey } from '../../../sidecar/core/select-key.js';
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

  describe('secret values are never re-parsed as documents', () => {
    const rows: Array<{ name: string; kind: FileSpec['kind']; format: FileSpec['format']; template?: string; layer: { ref: SourceRef; value: string }; want: string }> = [
      { name: '#key value with "=" in json (config file)', kind: 'config', format: 'json', layer: { ref: ref('kv/db', 'password'), value: 'c2VjcmV0PQ==' }, want: '{\n  "password": "c2VjcmV0PQ=="\n}\n' },
      { name: '#key value that looks like YAML in json (secret file)', kind: 'secret', format: 'json', layer: { ref: ref('kv/db', 'password'), value: 'a: b' }, want: '{\n  "password": "a: b"\n}\n' },
      { name: 'bare secret string with "=" in a template', kind: 'secret', format: 'raw', template: 'pw={{password}}', layer: { ref: ref('db/password'), value: 'abc=def' }, want: 'pw=abc=def' },
      { name: 'bare secret string that looks like YAML in env', kind: 'secret', format: 'env', layer: { ref: ref('db/password'), value: 'k: v' }, want: "password='k: v'\n" },
      { name: 'secret JSON object text is still a map', kind: 'secret', format: 'env', layer: { ref: ref('db/creds'), value: '{"user":"u"}' }, want: 'user=u\n' },
      { name: '#key naming a document file is parsed (ConfigMap app.json)', kind: 'config', format: 'json', layer: { ref: ref('configmap/base', 'app.json'), value: '{"a":{"b":1}}' }, want: '{\n  "a": {\n    "b": 1\n  }\n}\n' },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const out = renderFile(file({ kind: row.kind, format: row.format, template: row.template, sources: [row.layer.ref] }), [row.layer]).toString();
        assert.equal(out, row.want);
      });
    }
    it('a #key named as a document that does not parse fails without quoting the value', () => {
      assert.throws(
        () => renderFile(file({ format: 'json' }), [{ ref: ref('configmap/base', 'app.json'), value: 'not-json-s3cret' }]),
        (e: unknown) => isSidecarError(e, 'RENDER_FAILED') && !(e as Error).message.includes('s3cret'),
      );
    });
    it('schema errors of a secret file name no key from the content (additionalProperties, property paths)', () => {
      const schema = { type: 'object', additionalProperties: false, properties: { user: { type: 'string' } } };
      const value = '{"c2VjcmV0PQ":"x","user":5}';
      assert.throws(
        () => renderFile(file({ kind: 'secret', schema, schemaName: 'db' }), [{ ref: ref('db/creds'), value }]),
        (e: unknown) => isSidecarError(e, 'SCHEMA_INVALID') && !(e as Error).message.includes('c2VjcmV0PQ') && /#\/properties\/user\/type must be string/.test((e as Error).message),
      );
    });
    it('env errors of a secret file name no key', () => {
      assert.throws(() => renderFile(file({ kind: 'secret', format: 'env' }), [{ ref: ref('x'), value: { '9s3cretkey': 'v' } }]), (e: unknown) => isSidecarError(e, 'RENDER_FAILED') && !(e as Error).message.includes('s3cretkey'));
    });
  });

  describe('format edge cases read back exactly', () => {
    const values: Record<string, string> = { lead: '  two leading spaces', cr: 'a\rb', crlf: 'l1\r\nl2', bsn: 'literal \\n stays', quotes: `it's "x"`, tab: '\tt' };
    it('properties keep leading whitespace and every character', () => {
      assert.deepEqual(getProperties(renderFile(file({ format: 'properties' }), [{ ref: ref('x'), value: values }]).toString()), values);
    });
    it('env keeps carriage returns and literal backslash-n', () => {
      const envSafe = { cr: values.cr!, crlf: values.crlf!, bsn: values.bsn!, both: 'a"b\nc' };
      assert.deepEqual(dotenv.parse(renderFile(file({ format: 'env' }), [{ ref: ref('x'), value: envSafe }]).toString()), envSafe);
    });
    it('env refuses a value dotenv cannot read back exactly instead of changing it', () => {
      assert.throws(() => renderFile(file({ format: 'env' }), [{ ref: ref('x'), value: { v: 'a\r"\\n' } }]), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
    });
    const collisions: Array<{ name: string; format: FileSpec['format']; value: Record<string, unknown> }> = [
      { name: 'env a.b vs a_b', format: 'env', value: { 'a.b': '1', a_b: '2' } },
      { name: 'env nested vs flat', format: 'env', value: { a: { b: '1' }, a_b: '2' } },
      { name: 'properties nested vs dotted', format: 'properties', value: { a: { b: '1' }, 'a.b': '2' } },
    ];
    for (const row of collisions) {
      it(`refuses a key collision: ${row.name}`, () => {
        assert.throws(() => renderFile(file({ format: row.format }), [{ ref: ref('x'), value: row.value }]), (e: unknown) => isSidecarError(e, 'RENDER_FAILED') && /rename/.test((e as Error).message));
      });
    }
    it('yaml quotes strings a YAML 1.1 or 1.2 reader would retype', () => {
      const tricky = { a: 'yes', b: 'on', c: 'y', d: '2024-01-02', e: '0777', f: '1:20', g: 'Off', h: '0o17', i: '~', j: 'plain text', k: 'NO' };
      const out = renderFile(file({ format: 'yaml' }), [{ ref: ref('x'), value: tricky }]).toString();
      assert.deepEqual(YAML.parse(out, { version: '1.1' }), tricky);
      assert.deepEqual(YAML.parse(out), tricky);
      assert.match(out, /^j: plain text$/m, 'unambiguous strings stay plain');
    });
  });

  it('parses env and properties text layers', () => {
    assert.deepEqual(mergeLayers([{ ref: ref('a'), value: 'A=1\nB="two words"\n' }]), { A: '1', B: 'two words' });
    assert.deepEqual(mergeLayers([{ ref: ref('a'), value: 'a.b=1\nc : 2\n' }]), { 'a.b': '1', c: '2' });
  });

  it('byte values of a map (Kubernetes Secret data) are text in json and exact bytes through #key into raw', () => {
    const secret = { user: Buffer.from('app'), blob: Buffer.from([0xff, 0x00, 0x80]) };
    assert.deepEqual(JSON.parse(renderFile(file({ format: 'json' }), [{ ref: ref('secret/db'), value: { user: secret.user } }]).toString()), { user: 'app' });
    assert.ok(renderFile(file({ format: 'raw' }), [{ ref: ref('secret/db', 'blob'), value: selectKey(secret, 'blob', { store: 's', path: 'secret/db' }) }]).equals(secret.blob));
  });

  it('raw passes bytes through untouched and refuses several sources', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.ok(renderFile(file({ format: 'raw' }), [{ ref: ref('a'), value: bytes }]).equals(bytes));
    assert.throws(() => renderFile(file({ format: 'raw', sources: [ref('a'), ref('b')] }), [{ ref: ref('a'), value: 'x' }, { ref: ref('b'), value: 'y' }]), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
  });

  it('keeps keys named __proto__, constructor and prototype as data, and never pollutes a prototype', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","prototype":{"p":1},"a":1}') as Record<string, unknown>);
    assert.deepEqual(Object.keys(merged).sort(), ['__proto__', 'a', 'constructor', 'prototype']);
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((merged as { polluted?: unknown }).polluted, undefined, 'not through the prototype either');
    // merged again, nested maps merge as data
    const again = deepMerge(merged, JSON.parse('{"__proto__":{"second":true}}') as Record<string, unknown>);
    assert.deepEqual(JSON.parse(JSON.stringify(again)).__proto__, { polluted: true, second: true });
    // and they reach the rendered file
    const out = renderFile(file({ format: 'json' }), [{ ref: ref('a.json'), value: '{"constructor":"kept","__proto__":{"x":1}}' }]).toString();
    assert.deepEqual(Object.keys(JSON.parse(out)).sort(), ['__proto__', 'constructor']);
  });

  for (const [format, expected] of [
    ['yaml', ['__proto__:\n  x: "1"\n', 'constructor: c\n', 'prototype: p\n']],
    ['env', ['__proto___x=1\n', 'constructor=c\n', 'prototype=p\n']],
    ['properties', ['__proto__.x=1\n', 'constructor=c\n', 'prototype=p\n']],
  ] as const) {
    it(`renders keys named __proto__, constructor and prototype into ${format}, never drops them`, () => {
      const out = renderFile(file({ format }), [{ ref: ref('a.json'), value: '{"__proto__":{"x":"1"},"constructor":"c","prototype":"p"}' }]).toString();
      for (const line of expected) assert.ok(out.includes(line), `${JSON.stringify(line)} in ${JSON.stringify(out)}`);
    });
  }

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
      assert.equal(renderTemplate('[{{fn}}]', { fn: () => 'ran' } as Record<string, unknown>, 'f'), '[]');
      for (const t of ['{{BULWARK_TEST_SECRET}}', '{{process.env.BULWARK_TEST_SECRET}}']) assert.throws(() => renderTemplate(t, {}, 'f'), (e: unknown) => isSidecarError(e, 'RENDER_FAILED'));
      delete process.env.BULWARK_TEST_SECRET;
    });
    const strictRows = [
      { name: 'a missing variable', template: 'pw={{password}}', view: { user: 'u' } },
      { name: 'a missing triple-mustache variable', template: 'pw={{{password}}}', view: {} },
      { name: 'a missing nested name', template: '{{db.password}}', view: { db: { user: 'u' } } },
      { name: 'Object.prototype.toString', template: '{{toString}}', view: { a: '1' } },
      { name: 'constructor through a nested map', template: '{{db.constructor}}', view: { db: { user: 'u' } } },
      { name: 'hasOwnProperty inside a section', template: '{{#db}}{{hasOwnProperty}}{{/db}}', view: { db: { user: 'u' } } },
    ];
    for (const row of strictRows) {
      it(`fails with RENDER_FAILED on ${row.name}`, () => {
        assert.throws(() => renderTemplate(row.template, row.view, 'db-url'), (e: unknown) => isSidecarError(e, 'RENDER_FAILED') && /db-url/.test((e as Error).message));
      });
    }
    it('resolves own properties, parent contexts, and treats a section over a missing name as false', () => {
      assert.equal(renderTemplate('{{#db}}{{user}}@{{host}}{{/db}}{{^tls}} no-tls{{/tls}} {{db.user.length}}', { host: 'h', db: { user: 'app' } }, 'f'), 'app@h no-tls 3');
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
