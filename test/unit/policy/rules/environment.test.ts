import { fixtureSuite } from './suite.js';

fixtureSuite('environment');

import assert from 'node:assert/strict';
import { isPinnedReference } from '../../../../webhook/policy/rules/environment/rule.js';

describe('isPinnedReference', () => {
  const rows = [
    { ref: 'vault:db/creds#password@7', want: true },
    { ref: 'aws:prod/api@AWSCURRENT', want: true },
    { ref: 'vault:db/creds#password', want: false },
    { ref: 'vault:db/creds@', want: false },
    { ref: 'db/creds@3', want: false },
  ];
  for (const row of rows) it(`${row.ref} -> ${row.want}`, () => assert.equal(isPinnedReference(row.ref), row.want));
});
