/**
 * Multi-tenancy through the real apiserver: what kubectl users see when pods, ConfigMaps, Secrets,
 * Namespaces and Tenant documents cross a tenant boundary (each denied with Bulwark's message naming
 * the tenant), what stays allowed for the identities a Tenant names, and quotas just under and just
 * over their limits with usage from the webhook's watch caches. Uses the example tenants in
 * policies/tenants (shop, payments, platform) and a Tenant custom resource for the quota cases.
 */
import assert from 'node:assert/strict';
import { testCluster } from './harness/env.js';
import { eventually, pod, webhookWithNamespaces } from './harness/fixtures.js';

const INJECT = { 'bulwark.dev/inject': 'true' };
const MUTATE_DENIED = /admission webhook "inject-annotated\.bulwark\.dev" denied the request/;
const CONFIG_DENIED = /admission webhook "config\.bulwark\.dev" denied the request/;

/** RBAC for the impersonated users: edit namespaces, ConfigMaps, Secrets and pods (admission decides the rest). */
const RBAC = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'e2e-tenancy-editor' }, rules: [{ apiGroups: [''], resources: ['namespaces', 'configmaps', 'secrets', 'pods'], verbs: ['get', 'list', 'create', 'update', 'patch'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'e2e-tenancy-editor' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e-tenancy-editor' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'shop-admins' },
      ],
    },
  ],
};


function ns(name: string, labels: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'e2e-tenancy': 'true', ...labels } } };
}

function cm(namespace: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, labels }, data };
}

function tenantCr(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'bulwark.dev/v1alpha1', kind: 'Tenant', metadata: { name }, spec };
}

describe('e2e: multi-tenancy', function () {
  this.timeout(90_000);
  const as = (user: string, ...groups: string[]) => [`--as=${user}`, ...groups.map((g) => `--as-group=${g}`)];

  before(async () => {
    await webhookWithNamespaces();
    const k = testCluster().kubectl;
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(RBAC) });
    await k.ok(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns('shop-dev', { 'bulwark.dev/tenant': 'shop', 'bulwark.dev/environment': 'dev' }), ns('payments-prod', { 'bulwark.dev/tenant': 'payments', 'bulwark.dev/environment': 'prod' })] }),
    });
    // wait until the webhook's caches know shop-dev belongs to shop
    await eventually(async () => {
      const r = await k.create(cm('shop-dev', 'probe', { 'bulwark.dev/tenant': 'payments' }), ['--dry-run=server']);
      if (r.code === 0) throw new Error('the webhook does not see namespace shop-dev as tenant shop yet');
    }, 30_000);
  });

  const injection: Array<{ name: string; ref: string; want: RegExp }> = [
    { name: 'path traversal', ref: 'vault:secret/data/shop/../payments/db', want: /found "\.\.", which would climb out of a prefix/ },
    { name: 'percent-encoded separator', ref: 'vault:secret/data/shop%2F..%2Fpayments/db', want: /percent-encoded sequence "%2F"/ },
    { name: 'doubled separator', ref: 'vault:secret/data/shop//payments', want: /doubled separator/ },
    { name: 'Cyrillic look-alike', ref: 'vault:secret/data/\u0455hop/db', want: /non-ASCII character U\+0455/ },
    { name: 'fullwidth solidus', ref: 'vault:secret/data/shop\uff0fpayments', want: /U\+FF0F which Unicode normalises \(NFKC\) to "\/"/ },
    { name: 'letter case', ref: 'vault:secret/data/SHOP/db', want: /differs from tenant shop's prefix "secret\/data\/shop\/" only in letter case/ },
    { name: "another tenant's path", ref: 'vault:secret/data/platform/db', want: /belongs to tenant platform, which grants tenant shop nothing in this store/ },
    { name: 'grant overreach', ref: 'vault:secret/data/payments/private/db', want: /belongs to tenant payments, whose grants to tenant shop cover only secret\/data\/payments\/public\// },
  ];
  for (const row of injection) {
    it(`denies a pod reading across tenants: ${row.name}`, async () => {
      const r = await testCluster().kubectl.create(pod('shop-dev', 'cross', { ...INJECT, 'bulwark.dev/secret.db': row.ref }), ['--dry-run=server']);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, MUTATE_DENIED);
      assert.match(r.stderr, /sidecar injection denied for tenant shop/);
      assert.match(r.stderr, row.want);
    });
  }

  it('injects a pod reading its own path and a path payments grants, with both prefixes in the spec', async () => {
    const r = await testCluster().kubectl.create(pod('shop-dev', 'granted', { ...INJECT, 'bulwark.dev/secret.db': 'vault:secret/data/shop/db', 'bulwark.dev/secret.key': 'vault:secret/data/payments/public/key' }), ['--dry-run=server', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    const spec = JSON.parse(got.spec.initContainers[0].env.find((e: any) => e.name === 'BULWARK_SPEC').value);
    assert.deepEqual(spec.stores.vault.pathPrefixes, ['secret/data/shop/', 'secret/data/payments/public/']);
    assert.equal(spec.pod.tenant, 'shop');
    assert.equal(spec.fetchBudgetPerMinute, 120);
  });

  it('denies a pod that carries a hand-made sidecar spec with unscoped prefixes', async () => {
    const spec = { version: 1, pod: { namespace: 'shop-dev', tenant: 'shop' }, mountPath: '/bulwark', files: [{ name: 'db', kind: 'secret', sources: [{ store: 'vault', path: 'secret/data/payments/db' }], format: 'raw', mode: 256 }], stores: { vault: { provider: 'vault', address: 'https://vault.vault.svc:8200' } }, reload: [], refreshSeconds: 60, onFailure: 'keep-last-good', initOnly: false, debounceMs: 100 };
    const p = pod('shop-dev', 'handmade', {}, { spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }, { name: 'sidecar', image: 'registry.example/bulwark-sidecar:1', env: [{ name: 'BULWARK_SPEC', value: JSON.stringify(spec) }] }] } });
    const r = await testCluster().kubectl.create(p, ['--dry-run=server']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /admission webhook "workloads\.bulwark\.dev" denied the request/);
    assert.match(r.stderr, /tenancy: denied for tenant shop: pod shop-dev\/handmade carries a sidecar spec that differs from what Bulwark injects for tenant shop/);
  });

  it('denies ConfigMaps and Secrets labelled for another tenant (label spoofing)', async () => {
    const k = testCluster().kubectl;
    const r1 = await k.create(cm('shop-dev', 'routing', { 'bulwark.dev/tenant': 'payments' }));
    assert.notEqual(r1.code, 0);
    assert.match(r1.stderr, CONFIG_DENIED);
    assert.match(r1.stderr, /tenancy: denied for tenant shop: ConfigMap shop-dev\/routing is labelled bulwark\.dev\/tenant=payments but namespace shop-dev belongs to tenant shop/);
    const r2 = await k.create({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop-dev', name: 'tok', labels: { 'bulwark.dev/tenant': 'platform' } }, stringData: { t: 'x' } });
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /Secret shop-dev\/tok is labelled bulwark\.dev\/tenant=platform/);
  });

  it("lets only the platform's identities place the ConfigMap platform shares with shop", async () => {
    const k = testCluster().kubectl;
    const shared = cm('shop-dev', 'platform-ca', { 'bulwark.dev/tenant': 'platform' }, { 'ca.pem': 'not a real CA' });
    const byShop = await k.create(shared, ['--dry-run=server', ...as('sam', 'shop-admins')]);
    assert.notEqual(byShop.code, 0);
    assert.match(byShop.stderr, /tenant platform shares it with shop, but only its label admins may place it/);
    const byAdmin = await k.create(shared);
    assert.equal(byAdmin.code, 0, byAdmin.stderr);
  });

  it('denies relabelling a namespace into another tenant or changing its environment, except for the named identities', async () => {
    const k = testCluster().kubectl;
    const move = await k.run(['label', 'namespace', 'shop-dev', 'bulwark.dev/tenant=payments', '--overwrite', ...as('sam', 'shop-admins')]);
    assert.notEqual(move.code, 0);
    assert.match(move.stderr, /namespace shop-dev claims tenant payments, which does not list it in spec\.namespaces, and user sam may not add namespaces to it/);
    const env = await k.run(['label', 'namespace', 'shop-dev', 'bulwark.dev/environment=prod', '--overwrite', '--dry-run=server', ...as('mallory')]);
    assert.notEqual(env.code, 0);
    assert.match(env.stderr, /user mallory may not change bulwark\.dev\/environment of namespace shop-dev \(tenant shop\) from dev to prod/);
    const byAdmin = await k.run(['label', 'namespace', 'shop-dev', 'bulwark.dev/environment=staging', '--overwrite', '--dry-run=server', ...as('sam', 'shop-admins')]);
    assert.equal(byAdmin.code, 0, byAdmin.stderr);
    const claim = await k.create(ns('evil', { 'bulwark.dev/tenant': 'payments' }), as('mallory'));
    assert.notEqual(claim.code, 0);
    assert.match(claim.stderr, /tenancy: denied for tenant payments: namespace evil claims tenant payments/);
  });

  it('checks a namespace that joins a Tenant through its namespaceSelector (deploy/base routes every Namespace)', async () => {
    const k = testCluster().kubectl;
    await k.ok(['apply', '-f', '-'], { input: JSON.stringify(tenantCr('e2e-acme', { namespaceSelector: { matchLabels: { team: 'acme-e2e' } }, labelAdmins: { groups: ['acme-admins'] } })) });
    await eventually(async () => {
      const joined = await k.create(ns('sel-evil', { team: 'acme-e2e' }), ['--dry-run=server', ...as('mallory')]);
      if (joined.code === 0) throw new Error('the webhook does not know Tenant e2e-acme yet');
      assert.match(joined.stderr, /admission webhook "namespaces-other\.bulwark\.dev" denied the request/);
      assert.match(joined.stderr, /e2e-acme/);
    }, 30_000);
    const plain = await k.create(ns('sel-plain', { team: 'someone-else' }), ['--dry-run=server', ...as('mallory')]);
    assert.equal(plain.code, 0, plain.stderr);
  });

  it('denies a Tenant that shares a path it does not own', async () => {
    const r = await testCluster().kubectl.apply(tenantCr('e2e-evil', { stores: [{ name: 'vault' }], grants: [{ to: ['shop'], store: 'vault', paths: ['secret/data/payments/'] }] }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "documents\.bulwark\.dev" denied the request/);
    assert.match(r.stderr, /grant #1 of tenant e2e-evil shares "secret\/data\/payments\/" in store vault, outside tenant e2e-evil's own prefixes/);
  });

  describe('quotas (Tenant e2e-quota: 2 ConfigMaps, 1 injected pod)', () => {
    before(async () => {
      const k = testCluster().kubectl;
      await k.ok(['apply', '-f', '-'], { input: JSON.stringify(tenantCr('e2e-quota', { namespaces: ['e2e-quota'], quotas: { configMaps: 2, injectedPods: 1 } })) });
      await k.ok(['apply', '-f', '-'], { input: JSON.stringify(ns('e2e-quota', { 'bulwark.dev/tenant': 'e2e-quota' })) });
    });

    it('admits ConfigMaps up to the limit and denies the next one, naming quota, limit and usage', async () => {
      const k = testCluster().kubectl;
      const first = await eventually(async () => {
        const r = await k.create(cm('e2e-quota', 'one'));
        if (r.code !== 0) throw new Error(r.stderr);
        return r;
      });
      assert.equal(first.code, 0);
      await eventually(async () => {
        const r = await k.create(cm('e2e-quota', 'two'), ['--dry-run=server']);
        if (r.code !== 0) throw new Error(r.stderr);
      });
      assert.equal((await k.create(cm('e2e-quota', 'two'))).code, 0, 'just under the limit');
      const over = await eventually(async () => {
        const r = await k.create(cm('e2e-quota', 'three'), ['--dry-run=server']);
        if (r.code === 0) throw new Error('the webhook cache has not seen ConfigMap two yet');
        return r;
      });
      assert.match(over.stderr, CONFIG_DENIED);
      assert.match(over.stderr, /tenant e2e-quota is over its quota configMaps: limit 2, current usage 2, this request adds 1/);
    });

    it('injects one pod and denies the second once the cache counts the first', async () => {
      const k = testCluster().kubectl;
      const ann = { ...INJECT, 'bulwark.dev/secret.db': 'vault:secret/data/e2e-quota/db' };
      const first = await k.create(pod('e2e-quota', 'first', ann));
      assert.equal(first.code, 0, first.stderr);
      const over = await eventually(async () => {
        const r = await k.create(pod('e2e-quota', 'second', ann), ['--dry-run=server']);
        if (r.code === 0) throw new Error('the webhook cache has not counted the first pod yet');
        return r;
      });
      assert.match(over.stderr, MUTATE_DENIED);
      assert.match(over.stderr, /tenant e2e-quota is over its quota injectedPods: limit 1, current usage 1, this request adds 1/);
    });
  });
});
