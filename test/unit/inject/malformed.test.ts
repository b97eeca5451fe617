/**
 * Malformed annotations: each pod is denied (400 BadRequest, or 403 for tenancy refusals) with a
 * message that names the annotation and says what is allowed; every problem of a pod is reported at once;
 * nothing is patched.
 */
import assert from 'node:assert/strict';
import type { InjectContext } from '../../../webhook/inject/context.js';
import { injectPod } from '../../../webhook/inject/inject-pod.js';
import { BULWARK_API_VERSION } from '../../../webhook/policy/documents.js';
import { ctx, docs, options, pod } from './fixtures.js';
import { stripUserinfo } from '../../../webhook/inject/field-error.js';

const OK = { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:kv/app#password' };

interface Row {
  name: string;
  input: Record<string, string>;
  spec?: Record<string, unknown>;
  ctx?: InjectContext;
  code?: number;
  want: RegExp[];
}

const rows: Row[] = [
  { name: 'inject is not a boolean', input: { ...OK, 'bulwark.dev/inject': 'yes' }, want: [/^sidecar injection denied: bulwark\.dev\/inject: "yes" is not a boolean; use "true" or "false"$/] },
  { name: 'file name with a separator', input: { ...OK, 'bulwark.dev/secret.a/b': 'vault:kv/x' }, want: [/bulwark\.dev\/secret\.a\/b: file name "a\/b" is not allowed; use 1-54 characters/] },
  { name: 'file name with a leading dot', input: { ...OK, 'bulwark.dev/secret..env': 'vault:kv/x' }, want: [/file name "\.env" is not allowed/] },
  { name: 'file name too long', input: { ...OK, [`bulwark.dev/secret.${'a'.repeat(55)}`]: 'vault:kv/x' }, want: [/use 1-54 characters/] },
  { name: 'secret without a store', input: { ...OK, 'bulwark.dev/secret.db': 'kv/app' }, want: [/bulwark\.dev\/secret\.db: "kv\/app" has no store; use <store>:<path>\[#<key>\]\[@<version>\]/] },
  {
    name: 'unknown store names the annotation, the store and the stores available',
    input: { ...OK, 'bulwark.dev/secret.db': 'vaulty:kv/app' },
    want: [/bulwark\.dev\/secret\.db: store "vaulty" is not defined for namespace team-b; define a SecretStore or ClusterSecretStore named vaulty, or use one of: kubernetes, vault$/],
  },
  { name: 'a store named like an Object.prototype member is unknown', input: { ...OK, 'bulwark.dev/secret.db': 'constructor:kv/app' }, want: [/bulwark\.dev\/secret\.db: store "constructor" is not defined for namespace team-b/] },
  { name: 'a namespaced store of another namespace is unknown', input: { ...OK, 'bulwark.dev/secret.db': 'consul:team-a/app' }, want: [/store "consul" is not defined for namespace team-b/] },
  { name: 'format', input: { ...OK, 'bulwark.dev/format.db': 'toml' }, want: [/bulwark\.dev\/format\.db: "toml" is not a format; use one of raw, json, yaml, env, properties/] },
  { name: 'mode', input: { ...OK, 'bulwark.dev/mode.db': '0999' }, want: [/bulwark\.dev\/mode\.db: "0999" is not a file mode; use an octal mode such as 0400 or 0440/] },
  { name: 'format for a file that has no source', input: { ...OK, 'bulwark.dev/format.other': 'json' }, want: [/bulwark\.dev\/format\.other: there is no bulwark\.dev\/secret\.other or bulwark\.dev\/config\.other for this file/] },
  { name: 'secret and config for the same file', input: { ...OK, 'bulwark.dev/config.db': 'cm' }, want: [/bulwark\.dev\/config\.db: file db is already defined by bulwark\.dev\/secret\.db/] },
  { name: 'unknown schema', input: { ...OK, 'bulwark.dev/schema.db': 'nope' }, want: [/bulwark\.dev\/schema\.db: ConfigSchema "nope" is not defined; define it or name one of: app-config/] },
  { name: 'template with a partial', input: { ...OK, 'bulwark.dev/template.db': '{{> header}}' }, want: [/bulwark\.dev\/template\.db: uses a partial/] },
  { name: 'template not closed', input: { ...OK, 'bulwark.dev/template.db': '{{#items}}x' }, want: [/bulwark\.dev\/template\.db: is not a valid mustache template/] },
  { name: 'reload step', input: { ...OK, 'bulwark.dev/reload': 'kill -HUP 1' }, want: [/bulwark\.dev\/reload: "kill -HUP 1" is not a reload step; use signal:<SIG>\[:<process>\], http:<loopback-url>, restart or none/] },
  { name: 'reload signal', input: { ...OK, 'bulwark.dev/reload': 'signal:KILL' }, want: [/"signal:KILL" is not a signal step; use signal:<SIG>\[:<process>\] with SIG one of SIGHUP/] },
  { name: 'reload restart not last', input: { ...OK, 'bulwark.dev/reload': 'restart, signal:HUP' }, want: [/"restart" must be the last step/] },
  { name: 'reload to another host', input: { ...OK, 'bulwark.dev/reload': 'http:http://evil.example.com/reload' }, want: [/bulwark\.dev\/reload: .* is not allowed; use an http or https URL on localhost, 127\.0\.0\.1 or \[::1\]/] },
  { name: 'refresh not a duration', input: { ...OK, 'bulwark.dev/refresh': 'often' }, want: [/bulwark\.dev\/refresh: "often" is not a duration; use e\.g\. 30s, 5m or 1h \(between 5s and 24h\)/] },
  { name: 'refresh too short', input: { ...OK, 'bulwark.dev/refresh': '1s' }, want: [/bulwark\.dev\/refresh: "1s" is out of range; use between 5s and 24h/] },
  { name: 'health on another host', input: { ...OK, 'bulwark.dev/health': 'https://10.0.0.1/healthz' }, want: [/bulwark\.dev\/health: .* is not allowed/] },
  { name: 'mount path relative', input: { ...OK, 'bulwark.dev/mount-path': 'secrets' }, want: [/bulwark\.dev\/mount-path: "secrets" is not an absolute path/] },
  { name: 'mount path traversal', input: { ...OK, 'bulwark.dev/mount-path': '/app/../etc' }, want: [/is not an absolute path; use e\.g\. \/bulwark/] },
  { name: 'mount path over the token', input: { ...OK, 'bulwark.dev/mount-path': '/var/run/secrets/kubernetes.io/x' }, want: [/is inside \/var\/run\/secrets\/kubernetes\.io/] },
  { name: 'mount path hides /etc', input: { ...OK, 'bulwark.dev/mount-path': '/etc' }, want: [/would hide the system directory \/etc/] },
  { name: 'on-failure', input: { ...OK, 'bulwark.dev/on-failure': 'retry' }, want: [/bulwark\.dev\/on-failure: "retry" is not allowed; use keep-last-good or fail/] },
  { name: 'init-only', input: { ...OK, 'bulwark.dev/init-only': 'yes' }, want: [/bulwark\.dev\/init-only: "yes" is not a boolean/] },
  { name: 'containers names an unknown container', input: { ...OK, 'bulwark.dev/containers': 'app, sidecar' }, want: [/bulwark\.dev\/containers: the pod has no container "sidecar"; name one of: app/] },
  { name: 'containers names a bulwark container', input: { ...OK, 'bulwark.dev/containers': 'bulwark-sidecar' }, want: [/"bulwark-sidecar" is a Bulwark container/] },
  { name: 'cpu request above the configured limit', input: { ...OK, 'bulwark.dev/cpu-request': '2' }, want: [/bulwark\.dev\/cpu-request: "2" is above the configured cpu limit 200m; use at most 200m/] },
  { name: 'memory limit not a quantity', input: { ...OK, 'bulwark.dev/memory-limit': 'lots' }, want: [/bulwark\.dev\/memory-limit: "lots" is not a memory quantity; use e\.g\. 64Mi/] },
  { name: 'memory request above a lowered limit', input: { ...OK, 'bulwark.dev/memory-limit': '32Mi' }, want: [/bulwark\.dev\/memory-limit: the memory request 48Mi is above the memory limit 32Mi/] },
  {
    name: 'clashing volume name',
    input: OK,
    spec: { containers: [{ name: 'app', image: 'a' }], volumes: [{ name: 'bulwark-files', emptyDir: {} }] },
    want: [/^sidecar injection denied: spec\.volumes\[0\]\.name: volume name bulwark-files is reserved for Bulwark; rename the volume$/],
  },
  {
    name: 'clashing container name without a status annotation',
    input: OK,
    spec: { containers: [{ name: 'app', image: 'a' }, { name: 'bulwark-sidecar', image: 'x' }] },
    want: [/spec\.containers\[1\]\.name: container name bulwark-sidecar is reserved for Bulwark; rename the container/],
  },
  {
    name: 'a mount already at the mount path',
    input: OK,
    spec: { containers: [{ name: 'app', image: 'a', volumeMounts: [{ name: 'x', mountPath: '/bulwark' }] }] },
    want: [/bulwark\.dev\/mount-path: container app already mounts a volume at \/bulwark; choose another bulwark\.dev\/mount-path/],
  },
  {
    name: 'a spec too large for an environment variable',
    input: { ...OK, ...Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`bulwark.dev/template.f${i}`, 'x'.repeat(40000)])), ...Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`bulwark.dev/secret.f${i}`, 'vault:kv/a'])) },
    want: [/^sidecar injection denied: metadata\.annotations: the sidecar spec for this pod is \d+ bytes, above the limit of 98304; shorten the templates or schemas/],
  },
  {
    name: 'every problem is reported at once, not only the first',
    input: { 'bulwark.dev/inject': 'maybe', 'bulwark.dev/secret.db': 'nostore', 'bulwark.dev/refresh': 'x', 'bulwark.dev/reload': 'signal:NOPE', 'bulwark.dev/secret.k': 'ghost:a/b' },
    want: [/^sidecar injection denied \(5 problems\): /, /bulwark\.dev\/inject: "maybe"/, /bulwark\.dev\/secret\.db: "nostore" has no store/, /bulwark\.dev\/refresh: "x"/, /bulwark\.dev\/reload: "signal:NOPE"/, /bulwark\.dev\/secret\.k: store "ghost" is not defined/],
  },
];

describe('inject/injectPod: malformed annotations are denied with a message naming the annotation', () => {
  for (const row of rows) {
    it(row.name, () => {
      const r = injectPod(pod(row.input, row.spec), row.ctx ?? ctx());
      assert.equal(r.result, 'denied', JSON.stringify(r));
      if (r.result !== 'denied') return;
      assert.equal(r.code, row.code ?? 400);
      assert.equal(r.reason, (row.code ?? 400) === 400 ? 'BadRequest' : 'Forbidden');
      for (const re of row.want) assert.match(r.message, re);
    });
  }
});

describe('inject/injectPod: denials never echo credentials', () => {
  const SECRET_BITS = ['admin', 's3cr3t'];
  const credRows: Array<{ name: string; input: Record<string, string>; want: RegExp }> = [
    { name: 'health URL with user:password on loopback', input: { ...OK, 'bulwark.dev/health': 'http://admin:s3cr3t@127.0.0.1:8080/healthz' }, want: /bulwark\.dev\/health: the URL contains credentials \(user:password@\) and is not allowed; remove them/ },
    { name: 'health URL with user:password on another host', input: { ...OK, 'bulwark.dev/health': 'https://admin:s3cr3t@10.0.0.1/healthz' }, want: /bulwark\.dev\/health: the URL contains credentials/ },
    { name: 'health URL with a user only', input: { ...OK, 'bulwark.dev/health': 'http://admin@localhost/healthz' }, want: /bulwark\.dev\/health: the URL contains credentials/ },
    { name: 'reload http step with credentials', input: { ...OK, 'bulwark.dev/reload': 'signal:HUP, http:http://admin:s3cr3t@127.0.0.1/reload' }, want: /bulwark\.dev\/reload: the URL contains credentials/ },
    { name: 'health value that is no URL but holds user:password@', input: { ...OK, 'bulwark.dev/health': 'http://admin:s3cr3t@[bad' }, want: /bulwark\.dev\/health: "http:\/\/\*\*\*@\[bad" is not a URL/ },
    { name: 'config reference that is a URL with credentials', input: { ...OK, 'bulwark.dev/config.app': 'https://admin:s3cr3t@config.example.com/app' }, want: /bulwark\.dev\/config\.app: version "config\.example\.com\/app" is not valid/ },
    { name: 'reload step that is not a step and holds a URL with credentials', input: { ...OK, 'bulwark.dev/reload': 'curl ftp://admin:s3cr3t@127.0.0.1/x' }, want: /bulwark\.dev\/reload: "curl ftp:\/\/\*\*\*@127\.0\.0\.1\/x" is not a reload step/ },
    { name: 'template whose delimiter change fails', input: { ...OK, 'bulwark.dev/template.db': 'x {{=s3cr3t=}} y' }, want: /bulwark\.dev\/template\.db: is not a valid mustache template \(Invalid tags\); check/ },
  ];
  for (const row of credRows) {
    it(row.name, () => {
      const r = injectPod(pod(row.input), ctx());
      assert.equal(r.result, 'denied', JSON.stringify(r));
      if (r.result !== 'denied') return;
      assert.match(r.message, row.want);
      for (const bit of SECRET_BITS) assert.ok(!r.message.includes(bit), `the message echoes "${bit}": ${r.message}`);
      for (const e of r.errors) for (const bit of SECRET_BITS) assert.ok(!e.message.includes(bit));
    });
  }

  it('a template error keeps a plain section name and its position', () => {
    const r = injectPod(pod({ ...OK, 'bulwark.dev/template.db': '{{#items}}x' }), ctx());
    assert.equal(r.result, 'denied');
    if (r.result === 'denied') assert.match(r.message, /is not a valid mustache template \(Unclosed section "items" at 11\)/);
  });
});

describe('inject/injectPod: tenancy refusals', () => {
  function tenantCtx(): InjectContext {
    const d = docs();
    d.clusterStores.set('shared', {
      apiVersion: BULWARK_API_VERSION,
      kind: 'ClusterSecretStore',
      metadata: { name: 'shared' },
      spec: { provider: 'vault', address: 'https://vault:8200', pathPrefixes: ['kv/data/{tenant}/'] },
    });
    d.tenants.set('acme', { apiVersion: BULWARK_API_VERSION, kind: 'Tenant', metadata: { name: 'acme' }, spec: { stores: [{ name: 'shared' }], quotas: { fetchesPerMinute: 120 } } });
    return { ...ctx('prod'), docs: d };
  }

  it('a path outside the tenant prefix is forbidden (403) and names the tenant', () => {
    const r = injectPod(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'shared:kv/data/other/db' }), tenantCtx());
    assert.equal(r.result, 'denied');
    if (r.result !== 'denied') return;
    assert.equal(r.code, 403);
    assert.match(r.message, /bulwark\.dev\/secret\.db: path "kv\/data\/other\/db" in store shared is outside the prefixes tenant acme may read \(kv\/data\/acme\/\)/);
  });

  it('a path that only shares a string prefix is not under it', () => {
    const r = injectPod(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'shared:kv/data/acmeevil/db' }), tenantCtx());
    assert.equal(r.result, 'denied');
  });

  it('a store not granted to the tenant is forbidden', () => {
    const r = injectPod(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'vault:kv/data/acme/db' }), tenantCtx());
    assert.equal(r.result, 'denied');
    if (r.result === 'denied') assert.match(r.message, /tenant acme may not use store "vault"; use one of: shared/);
  });

  it('a path inside the prefix is injected with the expanded prefixes and the tenant fetch budget in the spec', () => {
    const r = injectPod(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'shared:kv/data/acme/db#password' }), tenantCtx());
    assert.equal(r.result, 'injected');
    if (r.result !== 'injected') return;
    assert.deepEqual(r.spec.stores.shared, { provider: 'vault', address: 'https://vault:8200', pathPrefixes: ['kv/data/acme/'] });
    assert.equal(r.spec.fetchBudgetPerMinute, 120);
  });

  it('a per-tenant store used from a namespace without a tenant is refused with the fix', () => {
    const c = tenantCtx();
    const r = injectPod(pod({ 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db': 'shared:kv/data/x/db' }), { ...c, namespace: 'team-b', namespaceInfo: undefined });
    assert.equal(r.result, 'denied');
    if (r.result === 'denied') assert.match(r.message, /scopes paths per tenant but namespace team-b has no tenant; label the namespace bulwark\.dev\/tenant=<tenant>/);
  });
});

describe('inject/injectPod: a spec that fails the sidecar schema is never injected', () => {
  it('a store document with an over-long address yields an error result, not a patch', () => {
    const d = docs();
    d.clusterStores.set('vault', { ...d.clusterStores.get('vault')!, spec: { provider: 'vault', address: `https://${'a'.repeat(3000)}` } });
    const r = injectPod(pod(OK), { ...ctx(), docs: d, options: options() });
    assert.equal(r.result, 'error');
    if (r.result === 'error') {
      assert.equal(r.code, 'SPEC_INVALID');
      assert.match(r.message, /invalid: .*\/stores\/vault\/address/);
    }
  });
});

describe('inject/stripUserinfo', () => {
  const rows = [
    { input: 'http://admin:pw@127.0.0.1:8080/healthz', want: 'http://***@127.0.0.1:8080/healthz' },
    { input: 'a https://u:p@h/x and ftp://v@w?q', want: 'a https://***@h/x and ftp://***@w?q' },
    { input: 'https://u:p@ss@h/x', want: 'https://***@h/x' },
    { input: 'vault:kv/app#password@3', want: 'vault:kv/app#password@3' },
    { input: 'http://host/path@x', want: 'http://host/path@x' },
    { input: 'no url at all', want: 'no url at all' },
  ];
  for (const row of rows) it(row.input, () => assert.equal(stripUserinfo(row.input), row.want));
});
