/**
 * The shared suite table: every allowed fixture of a rule passes, every disallowed fixture fails with
 * the expected messages (and never echoes a secret value it was given).
 */
import assert from 'node:assert/strict';
import { loadFixtures, runFixture } from './fixtures.js';

/** Registers the fixture suite of one rule. */
export function fixtureSuite(rule: string): void {
  describe(`${rule} fixtures`, () => {
    const allowed = loadFixtures(rule, 'allowed');
    const disallowed = loadFixtures(rule, 'disallowed');
    it('has allowed and disallowed fixtures', () => {
      assert.ok(allowed.length >= 2, 'at least two allowed fixtures');
      assert.ok(disallowed.length >= 2, 'at least two disallowed fixtures');
    });
    for (const fx of allowed) {
      it(`allows ${fx.file}: ${fx.description ?? ''}`, () => {
        const out = runFixture(rule, fx);
        assert.ok(Array.isArray(out), `expected violations list, got skip: ${JSON.stringify(out)}`);
        assert.deepEqual(out.filter((v) => (v.severity ?? 'fail') === 'fail'), [], `no failures expected`);
      });
    }
    for (const fx of disallowed) {
      it(`flags ${fx.file}: ${fx.description ?? ''}`, () => {
        const out = runFixture(rule, fx);
        assert.ok(Array.isArray(out), `expected violations, got skip`);
        const want = fx.severity ?? 'fail';
        const hits = out.filter((v) => (v.severity ?? 'fail') === want);
        assert.ok(hits.length > 0, `expected a ${want} violation, got ${JSON.stringify(out)}`);
        const text = hits.map((v) => v.message).join('\n');
        for (const e of fx.expect ?? []) assert.ok(text.includes(e), `message should include "${e}":\n${text}`);
        for (const d of fx.detectors ?? []) assert.ok(hits.some((v) => v.detector === d), `detector ${d} should fire`);
      });
    }
  });
}
