import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../webhook/log.js';
import { createMetrics } from '../../../webhook/metrics.js';
import type { DocumentSet } from '../../../webhook/policy/documents.js';
import { DocumentSource } from '../../../webhook/policy/loader.js';

const doc = (name: string, mode = 'enforce') => `apiVersion: bulwark.dev/v1alpha1\nkind: ConfigPolicy\nmetadata: {name: ${name}}\nspec: {mode: ${mode}, rules: [{rule: secret-leaks}]}\n`;

async function metricValue(metrics: ReturnType<typeof createMetrics>, name: 'policyReloads' | 'policyReloadFailures'): Promise<number> {
  return (await metrics[name].get()).values[0]?.value ?? 0;
}

describe('DocumentSource', () => {
  let dir: string;
  let source: DocumentSource | undefined;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'bulwark-source-'))));
  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start from a directory with an invalid document', async () => {
    await writeFile(join(dir, 'a.yaml'), doc('a', 'maybe'));
    source = new DocumentSource({ dir, logger: silentLogger });
    await assert.rejects(source.start(), (e: { code?: string }) => e.code === 'DOCUMENT_INVALID');
    assert.equal(source.loaded(), false);
  });

  it('loads, keeps the last good set on a bad reload, and counts both', async () => {
    const metrics = createMetrics({ processMetrics: false });
    await writeFile(join(dir, 'a.yaml'), doc('a'));
    source = new DocumentSource({ dir, logger: silentLogger, metrics, debounceMs: 20 });
    await source.start();
    assert.ok(source.loaded());
    assert.deepEqual(source.current().policies.map((p) => p.metadata.name), ['a']);
    assert.equal((await metrics.policyDocuments.get()).values.find((v) => v.labels.kind === 'ConfigPolicy')?.value, 1);

    await writeFile(join(dir, 'b.yaml'), doc('b', 'maybe'));
    assert.equal(await source.reloadFiles(), false);
    assert.deepEqual(source.current().policies.map((p) => p.metadata.name), ['a'], 'last good set kept');
    assert.equal(await metricValue(metrics, 'policyReloadFailures'), 1);

    await writeFile(join(dir, 'b.yaml'), doc('b'));
    assert.equal(await source.reloadFiles(), true);
    assert.deepEqual(source.current().policies.map((p) => p.metadata.name), ['a', 'b']);
    assert.equal(await metricValue(metrics, 'policyReloads'), 2);
  });

  it('hot-reloads on file changes and emits change', async () => {
    await writeFile(join(dir, 'a.yaml'), doc('a'));
    source = new DocumentSource({ dir, logger: silentLogger, debounceMs: 20 });
    await source.start();
    const changed = new Promise<DocumentSet>((resolve) => source!.once('change', resolve));
    await new Promise((r) => setTimeout(r, 200));
    await writeFile(join(dir, 'c.yaml'), doc('c'));
    const set = await Promise.race([changed, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no change event')), 5000))]);
    assert.deepEqual(set.policies.map((p) => p.metadata.name), ['a', 'c']);
  });

  it('applies custom resource events: valid ones replace, invalid ones are ignored', async () => {
    const metrics = createMetrics({ processMetrics: false });
    source = new DocumentSource({ dir, logger: silentLogger, metrics, debounceMs: 5 });
    await source.start();
    const cr = { apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigPolicy', metadata: { name: 'cr', namespace: 'team-a', uid: 'x' }, spec: { mode: 'audit', rules: [{ rule: 'schema' }] } };
    source.applyResource('add', cr);
    source.applyResource('update', { ...cr, spec: { mode: 'bogus', rules: [] } } as typeof cr);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(source.current().policies.map((p) => [p.metadata.name, p.spec.mode]), [['cr', 'audit']]);
    assert.equal(await metricValue(metrics, 'policyReloadFailures'), 1);
    source.applyResource('delete', cr);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(source.current().policies.length, 0);
  });
});
