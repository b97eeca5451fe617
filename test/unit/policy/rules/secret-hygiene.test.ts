import { fixtureSuite } from './suite.js';

fixtureSuite('secret-hygiene');

import assert from 'node:assert/strict';
import { impliedSecretType } from '../../../../webhook/policy/rules/secret-hygiene/rule.js';

describe('impliedSecretType', () => {
  const rows = [
    { keys: ['tls.crt', 'tls.key'], want: 'kubernetes.io/tls' },
    { keys: ['tls.crt'], want: undefined },
    { keys: ['.dockercfg'], want: 'kubernetes.io/dockercfg' },
    { keys: ['password'], want: undefined },
  ];
  for (const row of rows) it(`${row.keys.join(',')} -> ${row.want}`, () => assert.equal(impliedSecretType(row.keys), row.want));
});
