/**
 * A store the webhook admits must yield a spec the sidecar accepts: the SecretStore documents and
 * the sidecar spec describe the connection with the same schema fragment (they had drifted: a
 * 256-character namespace or 65 path prefixes passed admission and then made every pod using the
 * store fail injection with a 500).
 */
import assert from 'node:assert/strict';
import { MAX_PATH_PREFIXES, STORE_CONNECTION_PROPERTIES } from '../../../contract/store-connection.js';
import { SPEC_SCHEMA, validateSpec } from '../../../sidecar/spec/schema.js';
import { SECRET_STORE_SPEC_SCHEMA } from '../../../webhook/policy/schemas/secret-store.js';

describe('contract: store connection, one schema for documents and spec', () => {
  it('the SecretStore spec and the sidecar spec store entry have the same connection and prefix schema', () => {
    const doc = { ...SECRET_STORE_SPEC_SCHEMA.properties } as Record<string, unknown>;
    delete doc.volumes; // mounted by the webhook, never part of the spec
    const spec = (SPEC_SCHEMA.properties.stores as { additionalProperties: { properties: Record<string, unknown> } }).additionalProperties.properties;
    assert.deepEqual(Object.keys(doc).sort(), Object.keys(spec).sort());
    assert.deepEqual(doc, spec);
    for (const k of Object.keys(STORE_CONNECTION_PROPERTIES)) assert.equal(doc[k], spec[k], `${k}: the same object, not a copy`);
  });

  it('the sidecar refuses a spec whose store address carries credentials, without quoting them', () => {
    const spec = { version: 1, pod: { namespace: 'team-a' }, mountPath: '/bulwark', files: [], stores: { v: { provider: 'vault', address: 'https://admin:Pw0rd@vault:8200' } }, reload: [{ type: 'none' }], refreshSeconds: 60, onFailure: 'keep-last-good', initOnly: false, debounceMs: 500 };
    const problems = validateSpec(spec);
    assert.ok(problems.some((p) => /\/stores\/v\/address contains credentials/.test(p)), problems.join('; '));
    assert.ok(!problems.join(' ').includes('Pw0rd'));
  });

  it('the limits a document may reach are accepted by the sidecar', () => {
    const spec = {
      version: 1,
      pod: { namespace: 'team-a' },
      mountPath: '/bulwark',
      files: [],
      stores: { vault: { provider: 'vault', address: 'https://vault:8200', namespace: 'n'.repeat(255), pathPrefixes: Array.from({ length: MAX_PATH_PREFIXES }, (_, i) => `secret/data/p${i}/`) } },
      reload: [],
      refreshSeconds: 60,
      onFailure: 'keep-last-good',
      initOnly: false,
      debounceMs: 500,
    };
    const problems = validateSpec(spec);
    assert.ok(!problems.some((p) => /stores/.test(p)), problems.join('; '));
  });
});
