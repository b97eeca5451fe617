/**
 * Keeps docs/deployment.md honest about the chart: every top-level value and every per-webhook
 * failure policy is documented, and every overlay and component it lists exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../../..');
const doc = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
const values = parse(readFileSync(join(ROOT, 'deploy/helm/bulwark/values.yaml'), 'utf8')) as Record<string, any>;

describe('deploy: docs/deployment.md', () => {
  const documented = ['replicaCount', 'image', 'resources', 'webhook', 'certManager', 'tls', 'sidecar', 'podDisruptionBudget', 'networkPolicy', 'monitoring'];
  for (const key of documented) {
    it(`documents the chart value ${key}`, () => {
      assert.ok(key in values, `${key} is not a chart value`);
      assert.ok(doc.includes(`\`${key}`), `${key} is not in the values table`);
    });
  }
  it('documents every per-webhook failure policy with the default the chart uses', () => {
    const fp = values.webhook.failurePolicy as Record<string, string>;
    assert.ok(doc.includes(`\`webhook.failurePolicy.{${Object.keys(fp).join(',')}}\``));
    assert.ok(doc.includes(Object.values(fp).map((v) => `\`${v}\``).join(', ')));
  });
  for (const dir of ['base', 'cert-manager', 'ha', 'monitoring', 'overlays/dev', 'overlays/staging', 'overlays/prod', 'helm/bulwark', 'encryption']) {
    it(`lists deploy/${dir}, which exists`, () => {
      assert.ok(doc.includes(dir.split('/').pop()!), dir);
      assert.ok(existsSync(join(ROOT, 'deploy', dir)), dir);
    });
  }
});
