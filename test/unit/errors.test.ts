import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, BulwarkError, isBulwarkError } from '../../webhook/errors.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error catalogue', () => {
  it('gives every code a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^[A-Z][A-Z_]+$/);
      assert.ok(meaning.length > 10 && !meaning.includes('\n'), code);
    }
  });

  it('is used: every code appears in the webhook sources outside the catalogue', () => {
    const text = sources('webhook').filter((p) => !p.endsWith('errors.ts')).map((p) => readFileSync(p, 'utf8')).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((c) => !text.includes(`'${c}'`));
    assert.deepEqual(unused, []);
  });

  it('carries code, details and cause', () => {
    const cause = new Error('low');
    const e = new BulwarkError('CONFIG_INVALID', 'bad', { setting: '--port' }, { cause });
    assert.equal(isBulwarkError(e, 'BODY_EMPTY'), false);
    assert.equal(isBulwarkError(e, 'CONFIG_INVALID'), true);
    assert.equal(e.cause, cause);
    assert.deepEqual(e.details, { setting: '--port' });
  });
});
