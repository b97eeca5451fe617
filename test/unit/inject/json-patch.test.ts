/**
 * The JSON Patch module: pointer escaping, and the missing-array / missing-map cases, each checked by
 * op/path and by applying the patch.
 */
import assert from 'node:assert/strict';
import {
  appendToArray,
  escapeToken,
  pointer,
  prependToArray,
  removeOp,
  replaceOp,
  setMapEntries,
  setMapEntry,
  unescapeToken,
} from '../../../webhook/inject/json-patch.js';
import { applyPatch } from './fixtures.js';

describe('inject/json-patch: escaping', () => {
  const rows = [
    { name: 'plain', input: 'app', want: 'app' },
    { name: 'slash', input: 'bulwark.dev/status', want: 'bulwark.dev~1status' },
    { name: 'tilde', input: 'a~b', want: 'a~0b' },
    { name: 'tilde before slash is escaped first', input: '~/', want: '~0~1' },
    { name: 'literal ~1 survives a round trip', input: 'x~1y', want: 'x~01y' },
    { name: 'empty token', input: '', want: '' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(escapeToken(row.input), row.want);
      assert.equal(unescapeToken(row.want), row.input);
    });
  }

  it('pointer joins escaped tokens and numbers', () => {
    assert.equal(pointer('spec', 'containers', 0, 'volumeMounts'), '/spec/containers/0/volumeMounts');
    assert.equal(pointer('metadata', 'annotations', 'example.com/a~b'), '/metadata/annotations/example.com~1a~0b');
  });

  it('an escaped pointer addresses the right member when applied', () => {
    const doc = { metadata: { annotations: { 'a/b': '1', 'a~b': '2' } } };
    const out = applyPatch(doc, [replaceOp(pointer('metadata', 'annotations', 'a/b'), 'x'), removeOp(pointer('metadata', 'annotations', 'a~b'))]);
    assert.deepEqual(out, { metadata: { annotations: { 'a/b': 'x' } } });
  });
});

describe('inject/json-patch: arrays and maps', () => {
  const rows = [
    {
      name: 'append to a missing array adds it whole',
      input: { spec: {} as Record<string, unknown> },
      ops: (d: any) => appendToArray('/spec/volumes', d.spec.volumes, [{ name: 'v' }]),
      wantOps: [{ op: 'add', path: '/spec/volumes', value: [{ name: 'v' }] }],
      want: { spec: { volumes: [{ name: 'v' }] } },
    },
    {
      name: 'append to an existing array uses /-',
      input: { spec: { volumes: [{ name: 'a' }] } },
      ops: (d: any) => appendToArray('/spec/volumes', d.spec.volumes, [{ name: 'v' }, { name: 'w' }]),
      wantOps: [
        { op: 'add', path: '/spec/volumes/-', value: { name: 'v' } },
        { op: 'add', path: '/spec/volumes/-', value: { name: 'w' } },
      ],
      want: { spec: { volumes: [{ name: 'a' }, { name: 'v' }, { name: 'w' }] } },
    },
    {
      name: 'prepend to a missing array adds it whole, in order',
      input: { spec: {} as Record<string, unknown> },
      ops: (d: any) => prependToArray('/spec/initContainers', d.spec.initContainers, [{ name: '1' }, { name: '2' }]),
      wantOps: [{ op: 'add', path: '/spec/initContainers', value: [{ name: '1' }, { name: '2' }] }],
      want: { spec: { initContainers: [{ name: '1' }, { name: '2' }] } },
    },
    {
      name: 'prepend to an empty array replaces it whole',
      input: { spec: { initContainers: [] as unknown[] } },
      ops: (d: any) => prependToArray('/spec/initContainers', d.spec.initContainers, [{ name: '1' }]),
      wantOps: [{ op: 'add', path: '/spec/initContainers', value: [{ name: '1' }] }],
      want: { spec: { initContainers: [{ name: '1' }] } },
    },
    {
      name: 'prepend to an existing array inserts at 0, 1, ... keeping order',
      input: { spec: { initContainers: [{ name: 'old' }] } },
      ops: (d: any) => prependToArray('/spec/initContainers', d.spec.initContainers, [{ name: '1' }, { name: '2' }]),
      wantOps: [
        { op: 'add', path: '/spec/initContainers/0', value: { name: '1' } },
        { op: 'add', path: '/spec/initContainers/1', value: { name: '2' } },
      ],
      want: { spec: { initContainers: [{ name: '1' }, { name: '2' }, { name: 'old' }] } },
    },
    {
      name: 'set an entry in a missing map adds the map',
      input: { metadata: {} as Record<string, unknown> },
      ops: (d: any) => [setMapEntry('/metadata/annotations', d.metadata.annotations, 'bulwark.dev/status', 'x')],
      wantOps: [{ op: 'add', path: '/metadata/annotations', value: { 'bulwark.dev/status': 'x' } }],
      want: { metadata: { annotations: { 'bulwark.dev/status': 'x' } } },
    },
    {
      name: 'set an entry in an existing map escapes the key and overwrites',
      input: { metadata: { annotations: { 'bulwark.dev/status': 'old', keep: 'y' } } },
      ops: (d: any) => setMapEntries('/metadata/annotations', d.metadata.annotations, { 'bulwark.dev/status': 'new', 'a~b': 'z' }),
      wantOps: [
        { op: 'add', path: '/metadata/annotations/bulwark.dev~1status', value: 'new' },
        { op: 'add', path: '/metadata/annotations/a~0b', value: 'z' },
      ],
      want: { metadata: { annotations: { 'bulwark.dev/status': 'new', keep: 'y', 'a~b': 'z' } } },
    },
    {
      name: 'nothing to append yields no operation',
      input: { spec: {} as Record<string, unknown> },
      ops: (d: any) => appendToArray('/spec/volumes', d.spec.volumes, []),
      wantOps: [],
      want: { spec: {} },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const ops = row.ops(row.input);
      assert.deepEqual(ops, row.wantOps);
      assert.deepEqual(applyPatch(row.input, ops), row.want);
    });
  }
});
