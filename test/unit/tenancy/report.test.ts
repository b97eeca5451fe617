/**
 * `bulwark tenants`: the report of tenants, prefixes, quotas and grants (pure), and the command run
 * against the example documents in policies/ (which must load and share only what they own).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildTenantReport, formatTenantReport } from '../../../webhook/tenancy/report.js';
import { tenancyDocs, tenancyState, tenant } from './fixtures.js';

const run = promisify(execFile);

describe('tenancy/report', () => {
  it('lists documented and label-only tenants with namespaces, prefixes, quotas and grants both ways', () => {
    const docs = tenancyDocs();
    docs.tenants.set('evil', tenant('evil', { stores: [{ name: 'vault' }], grants: [{ to: ['shop'], store: 'vault', paths: ['secret/data/payments/'] }] }));
    const state = tenancyState();
    state.upsert({ kind: 'Namespace', metadata: { name: 'team-x', labels: { 'bulwark.dev/tenant': 'x' } } });
    const report = buildTenantReport(docs, state.namespaces());
    assert.deepEqual(report.map((t) => [t.name, t.documented]), [['evil', true], ['legacy', true], ['payments', true], ['platform', true], ['shop', true], ['x', false]]);
    const shop = report.find((t) => t.name === 'shop')!;
    assert.deepEqual(shop.namespaces, ['shop-dev', 'shop-prod', 'shop-staging']);
    assert.deepEqual(shop.stores, [{ name: 'vault', prefixes: ['secret/data/shop/'] }]);
    assert.deepEqual(shop.quotas, { configMaps: 5, secrets: 3, configBytes: 100, injectedPods: 2, fetchesPerMinute: 60 });
    assert.deepEqual(shop.grantsReceived.map((g) => [g.from, g.path, g.problem !== undefined]), [
      ['evil', 'secret/data/payments/', true],
      ['payments', 'secret/data/payments/public/', false],
      ['platform', 'configmap/platform-ca', false],
      ['platform', 'configmap/platform-endpoints', false],
    ]);
    const text = formatTenantReport(report);
    assert.match(text, /tenant x \(no Tenant document: namespace label only\)\n {2}namespaces: team-x/);
    assert.match(text, /vault:secret\/data\/payments\/ from evil {2}\[IGNORED: grant #1 of tenant evil shares/);
    assert.match(text, /ConfigMap platform-ca to shop, payments/);
  });

  it('runs against the example policies: shop receives the payments and platform grants', async function () {
    this.timeout(20_000);
    const { stdout } = await run(process.execPath, ['dist/webhook/cli.js', 'tenants', '--policies', 'policies', '--output', 'json']);
    const report = JSON.parse(stdout) as ReturnType<typeof buildTenantReport>;
    const shop = report.find((t) => t.name === 'shop')!;
    assert.deepEqual(shop.namespaces, ['shop-dev', 'shop-prod', 'shop-staging']);
    assert.deepEqual(shop.grantsReceived.map((g) => `${g.from} ${g.store}:${g.path}${g.problem ? ' IGNORED' : ''}`), [
      'payments vault:secret/data/payments/public/',
      'platform kubernetes:configmap/platform-ca',
      'platform kubernetes:configmap/platform-endpoints',
    ]);
    assert.ok(report.every((t) => t.grantsGiven.every((g) => g.problem === undefined)), 'every example grant is sound');
  });

  it('exits 2 with a message on a missing policies directory', async () => {
    await assert.rejects(run(process.execPath, ['dist/webhook/cli.js', 'tenants', '--policies', '/nonexistent/dir']), (e: { code: number; stderr: string }) => e.code === 2 && /bulwark tenants: /.test(e.stderr));
  });
});
