/**
 * Mocha root hooks for the end-to-end tier (loaded with --require): start etcd + kube-apiserver and
 * apply deploy/base once before all suites; tear everything down after them, also when tests fail.
 * Missing peers: skip everything with install instructions, or fail when CI=true.
 */
import { setupE2e, teardownE2e } from './harness/env.js';

/** The root hooks mocha picks up from this module. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    const r = await setupE2e();
    if (!r.started) {
      process.stderr.write(`  [e2e] SKIPPED: ${r.reason}\n`);
      this.skip();
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await teardownE2e();
  },
};
