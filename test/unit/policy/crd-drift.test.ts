import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildCrd, renderCrds, toStructural } from '../../../webhook/policy/crd-gen.js';
import { KINDS } from '../../../webhook/policy/schemas/index.js';

const DIR = join(process.cwd(), 'deploy/crds');

describe('CRDs', () => {
  it('deploy/crds matches what the generator produces from the JSON Schemas (run npm run crds)', () => {
    const want = renderCrds();
    const files = readdirSync(DIR).filter((f) => f.startsWith('bulwark.dev_') || f === 'kustomization.yaml').sort();
    assert.deepEqual(files, [...want.keys()].sort(), 'one CRD file per kind');
    for (const [file, text] of want) assert.equal(readFileSync(join(DIR, file), 'utf8'), text, `${file} drifted from its schema`);
  });

  it('produces structural schemas: no additionalProperties false, free-form objects preserved', () => {
    const walk = (s: Record<string, any>, path: string): void => {
      assert.notEqual(s.additionalProperties, false, `${path} has additionalProperties: false`);
      assert.equal(s.$id, undefined);
      assert.equal(s.const, undefined);
      if (s.type === 'object' && !s.properties && !s.additionalProperties && !path.endsWith('.metadata')) assert.equal(s['x-kubernetes-preserve-unknown-fields'], true, path);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v as Record<string, any>, `${path}.${k}`);
      if (s.items) walk(s.items, `${path}[]`);
    };
    for (const info of Object.values(KINDS)) {
      const crd = parse(renderCrds().get(`bulwark.dev_${info.plural}.yaml`)!);
      walk(crd.spec.versions[0].schema.openAPIV3Schema, info.kind);
      assert.equal(crd.spec.scope, info.namespaced ? 'Namespaced' : 'Cluster');
    }
  });

  it('keeps enums and required lists', () => {
    const spec = buildCrd(KINDS.ConfigPolicy) as any;
    const s = spec.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    assert.deepEqual(s.required, ['mode', 'rules']);
    assert.deepEqual(s.properties.mode.enum, ['enforce', 'audit']);
    assert.deepEqual(toStructural({ const: 'x', type: 'string' }), { type: 'string', enum: ['x'] });
  });
});
