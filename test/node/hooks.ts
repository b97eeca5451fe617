/**
 * Mocha root hooks for the node tier (loaded with --require): start the cluster with its node and
 * install Bulwark once before all suites; tear everything down after them, also when tests fail.
 * Missing peers or no root: skip with instructions, or fail when CI=true.
 */
import { setupNodeTier, teardownNodeTier } from './harness/env.js';

/** The root hooks mocha picks up from this module. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(600_000);
    const r = await setupNodeTier();
    if (!r.started) {
      process.stderr.write(`  [node] SKIPPED: ${r.reason}\n`);
      this.skip();
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await teardownNodeTier();
  },
};
