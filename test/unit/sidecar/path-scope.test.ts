import assert from 'node:assert/strict';
import { enforcePathScope, normaliseStorePath } from '../../../sidecar/core/path-scope.js';
import { isSidecarError } from '../../../sidecar/errors.js';

describe('sidecar path scope', () => {
  const prefixes = ['team-a/', '/shared/team-a'];
  const rows: Array<{ name: string; path: string; want: string | 'refused' }> = [
    { name: 'inside a prefix', path: 'team-a/db', want: 'team-a/db' },
    { name: 'leading slash is normalised', path: '/team-a/app/config', want: 'team-a/app/config' },
    { name: 'second prefix', path: 'shared/team-a/x', want: 'shared/team-a/x' },
    { name: 'hierarchy keeps trailing slash', path: '/team-a/app/', want: 'team-a/app/' },
    { name: 'other tenant', path: 'team-b/db', want: 'refused' },
    { name: 'prefix as a string prefix only', path: 'team-abc/db', want: 'refused' },
    { name: 'dot-dot escape', path: 'team-a/../team-b/db', want: 'refused' },
    { name: 'dot segment', path: 'team-a/./db', want: 'refused' },
    { name: 'doubled separator', path: 'team-a//db', want: 'refused' },
    { name: 'percent-encoded slash', path: 'team-a%2f..%2fteam-b/db', want: 'refused' },
    { name: 'percent-encoded dot', path: 'team-a/%2e%2e/team-b', want: 'refused' },
    { name: 'double-encoded', path: 'team-a/%252e%252e/team-b', want: 'refused' },
    { name: 'backslash', path: 'team-a\\..\\team-b', want: 'refused' },
    { name: 'fullwidth solidus', path: 'team-a\uff0f..\uff0fteam-b', want: 'refused' },
    { name: 'case change of prefix', path: 'TEAM-A/db', want: 'refused' },
    { name: 'unicode lookalike dot', path: 'team-a/\u2024\u2024/team-b', want: 'refused' },
    { name: 'control character', path: 'team-a/db\u0000', want: 'refused' },
    { name: 'empty', path: '/', want: 'refused' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      if (row.want === 'refused') {
        assert.throws(() => enforcePathScope(row.path, prefixes, 'vault'), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE'));
      } else {
        assert.equal(enforcePathScope(row.path, prefixes, 'vault'), row.want);
      }
    });
  }
  it('allows any clean path when no prefixes are set, still refusing traversal', () => {
    assert.equal(enforcePathScope('a/b', undefined, 's'), 'a/b');
    assert.throws(() => normaliseStorePath('a/../b'), (e: unknown) => isSidecarError(e, 'OUT_OF_SCOPE'));
  });
  it('names the store and the allowed prefixes in the message', () => {
    assert.throws(() => enforcePathScope('team-b/x', ['team-a'], 'vault'), /store vault is outside the tenant's allowed prefixes \(team-a\)/);
  });
});
