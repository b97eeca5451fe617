import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDocumentSet, loadDirectory, parseDocuments, validateDocument } from '../../../webhook/policy/loader.js';

const GOOD = `apiVersion: bulwark.dev/v1alpha1
kind: ConfigPolicy
metadata: {name: good}
spec:
  mode: enforce
  rules: [{rule: secret-leaks}]
`;

describe('policy loader: errors name the source, the object and the JSON path', () => {
  const rows = [
    { name: 'bad mode', text: GOOD.replace('mode: enforce', 'mode: sometimes'), want: { object: 'ConfigPolicy/good', path: '/spec/mode', message: /must be equal to one of the allowed values/ } },
    { name: 'unknown rule', text: GOOD.replace('secret-leaks', 'vibes'), want: { object: 'ConfigPolicy/good', path: '/spec/rules/0/rule', message: /allowed values/ } },
    { name: 'bad rule params', text: GOOD.replace('{rule: secret-leaks}', '{rule: secret-leaks, params: {minLength: 2}}'), want: { object: 'ConfigPolicy/good', path: '/spec/rules/0/params/minLength', message: /must be >= 8/ } },
    { name: 'unknown params field', text: GOOD.replace('{rule: secret-leaks}', '{rule: schema, params: {requird: true}}'), want: { object: 'ConfigPolicy/good', path: '/spec/rules/0/params', message: /additional properties \(requird\)/ } },
    { name: 'unknown spec field', text: GOOD.replace('mode: enforce', 'mode: enforce\n  moed: audit'), want: { object: 'ConfigPolicy/good', path: '/spec', message: /additional properties \(moed\)/ } },
    { name: 'missing name', text: GOOD.replace('metadata: {name: good}', 'metadata: {}'), want: { object: 'document 1', path: '/metadata', message: /required property 'name'/ } },
    { name: 'wrong version', text: GOOD.replace('v1alpha1', 'v9'), want: { object: 'ConfigPolicy/good', path: '/apiVersion', message: /must be bulwark.dev\/v1alpha1/ } },
    { name: 'unknown kind', text: GOOD.replace('kind: ConfigPolicy', 'kind: Frobnicator'), want: { object: 'Frobnicator/good', path: '/kind', message: /must be one of/ } },
    { name: 'uncompilable ConfigSchema', text: 'apiVersion: bulwark.dev/v1alpha1\nkind: ConfigSchema\nmetadata: {name: s}\nspec: {schema: {type: object, propertees: {}}}\n', want: { object: 'ConfigSchema/s', path: '/spec/schema', message: /not a usable JSON Schema: strict mode: unknown keyword: "propertees"/ } },
    { name: 'store with a bad provider', text: 'apiVersion: bulwark.dev/v1alpha1\nkind: ClusterSecretStore\nmetadata: {name: v}\nspec: {provider: hashicorp}\n', want: { object: 'ClusterSecretStore/v', path: '/spec/provider', message: /allowed values/ } },
    { name: 'tenant with a negative quota', text: 'apiVersion: bulwark.dev/v1alpha1\nkind: Tenant\nmetadata: {name: t}\nspec: {quotas: {secrets: -1}}\n', want: { object: 'Tenant/t', path: '/spec/quotas/secrets', message: /must be >= 0/ } },
    { name: 'invalid YAML', text: 'a: [unclosed\n', want: { object: 'document 1', path: '/', message: /is not valid YAML/ } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { docs, errors } = parseDocuments(row.text, 'policies/x.yaml');
      assert.equal(docs.length, 0);
      assert.ok(errors.length >= 1, 'an error is reported');
      const e = errors.find((x) => x.path === row.want.path);
      assert.ok(e, `an error at ${row.want.path}: ${JSON.stringify(errors)}`);
      assert.equal(e.source, 'policies/x.yaml');
      assert.equal(e.object, row.want.object);
      assert.match(e.message, row.want.message);
    });
  }
});

describe('policy loader: parsing', () => {
  it('reads multi-document YAML, JSON and List objects, ignoring other kinds', () => {
    const text = `${GOOD}---\nkind: List\napiVersion: v1\nitems:\n  - {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n  - {apiVersion: bulwark.dev/v1alpha1, kind: Tenant, metadata: {name: shop}, spec: {namespaces: [shop-dev]}}\n---\n{"apiVersion": "bulwark.dev/v1alpha1", "kind": "ConfigSchema", "metadata": {"name": "s"}, "spec": {"schema": {"type": "object"}}}\n`;
    const { docs, errors } = parseDocuments(text, 'f.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ['ConfigPolicy/good', 'Tenant/shop', 'ConfigSchema/s']);
  });

  it('keeps only the contract fields of a custom resource', () => {
    const r = validateDocument({ ...parseDocuments(GOOD, 'f').docs[0], metadata: { name: 'good', uid: 'u', managedFields: [{}] }, status: { x: 1 } }, 'cluster');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(Object.keys(r.doc!), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.deepEqual(r.doc!.metadata, { name: 'good' });
  });

  it('builds an immutable set', () => {
    const set = buildDocumentSet(parseDocuments(GOOD, 'f').docs);
    assert.throws(() => set.policies.push(set.policies[0]!));
    assert.throws(() => ((set.policies[0]!.spec as { mode: string }).mode = 'audit'));
    assert.throws(() => set.schemas.set('x', undefined as never), /immutable/);
    assert.throws(() => set.tenants.clear(), /immutable/);
  });
});

describe('policy loader: directories', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bulwark-policies-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('loads every file, reports bad ones by file and duplicates', async () => {
    await writeFile(join(dir, 'a.yaml'), GOOD);
    await writeFile(join(dir, 'b.yml'), GOOD);
    await writeFile(join(dir, 'c.json'), '{"apiVersion": "bulwark.dev/v1alpha1", "kind": "Tenant", "metadata": {"name": "t"}, "spec": {"quotas": {"secrets": "many"}}}');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const { set, errors } = await loadDirectory(dir);
    assert.equal(set.policies.length, 1);
    assert.deepEqual(
      errors.map((e) => [e.source.slice(dir.length + 1), e.object, e.path, e.code]),
      [['c.json', 'Tenant/t', '/spec/quotas/secrets', 'DOCUMENT_INVALID'], ['b.yml', 'ConfigPolicy/good', '/metadata/name', 'DOCUMENT_DUPLICATE']],
    );
  });

  it('reports a missing directory', async () => {
    const { errors } = await loadDirectory(join(dir, 'nope'));
    assert.equal(errors[0]?.code, 'DOCUMENT_PARSE');
  });

  it('loads the default policies in policies/ without errors', async () => {
    const { set, errors } = await loadDirectory(join(process.cwd(), 'policies'));
    assert.deepEqual(errors, []);
    assert.ok(set.policies.length >= 5);
    assert.ok(set.schemas.has('app-config'));
    assert.ok(set.clusterStores.has('vault'));
  });
});

describe('policy loader: store addresses never carry credentials', () => {
  const store = (address: string) => ({ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ClusterSecretStore', metadata: { name: 'vault' }, spec: { provider: 'vault', address } });
  for (const address of ['https://admin:S3cretPw@vault.vault.svc:8200', 'https://s.hvstoken123@vault:8200', 'http://user:@consul:8500']) {
    it(`refuses ${address.replace(/\/\/[^@]*@/, '//***@')} without quoting the credentials`, () => {
      const r = validateDocument(store(address), 'cluster');
      assert.equal(r.doc, undefined);
      assert.equal(r.errors[0]?.path, '/spec/address');
      assert.match(r.errors[0]!.message, /contains credentials/);
      assert.ok(!JSON.stringify(r.errors).includes('S3cretPw') && !JSON.stringify(r.errors).includes('hvstoken123'));
    });
  }
  it('admits addresses without userinfo, an @ in the path included', () => {
    for (const address of ['https://vault.vault.svc:8200', 'https://10.0.0.5:8200/ui@x', 'http://consul:8500']) assert.deepEqual(validateDocument(store(address), 'cluster').errors, [], address);
  });
});
