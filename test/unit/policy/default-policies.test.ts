import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../webhook/admission/types.js';
import { MemoryClusterState } from '../../../webhook/cluster/memory-state.js';
import type { DocumentSet } from '../../../webhook/policy/documents.js';
import { evaluate } from '../../../webhook/policy/engine.js';
import { loadDirectory } from '../../../webhook/policy/loader.js';
import { request } from './helpers.js';

/** Exercises the default policy set in policies/ against the example namespaces in policies/namespaces.yaml. */
describe('default policies', () => {
  let docs: DocumentSet;
  const state = new MemoryClusterState({ authoritative: true });
  before(async () => {
    docs = (await loadDirectory(join(process.cwd(), 'policies'))).set;
    for (const ns of parse(readFileSync(join(process.cwd(), 'policies/namespaces.yaml'), 'utf8')).items) state.upsert(ns);
    state.upsert({ kind: 'ConfigMap', metadata: { name: 'app-config-v2', namespace: 'shop-prod', labels: { 'bulwark.dev/version': '2' } }, data: { 'app.yaml': '' } });
  });

  const cm = (ns: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'app-config-v3', namespace: ns, labels, annotations },
    data: { 'app.yaml': 'server:\n  port: 8080\n' },
    ...extra,
  });
  const managed = { 'bulwark.dev/managed': 'true' };
  const schema = { 'bulwark.dev/schema': 'app.yaml=app-config' };
  const pod = (ns: string, annotations: Record<string, string>, env: unknown[] = []): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: ns, annotations },
    spec: { containers: [{ name: 'web', image: 'web:1', env }] },
  });
  /** The BULWARK_SPEC the webhook injects for one templated Vault secret (its shape, as sidecar/spec/types.ts defines it). */
  const injectedSpec = (template: string): string =>
    JSON.stringify({
      version: 1,
      pod: { namespace: 'shop-prod', name: 'web', tenant: 'shop', environment: 'prod', owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' } },
      mountPath: '/bulwark',
      files: [{ name: 'db', kind: 'secret', sources: [{ store: 'vault', path: 'kv/data/shop/db-credentials', key: 'password', version: '4' }], format: 'raw', mode: 256, template }],
      stores: { vault: { provider: 'vault', address: 'https://vault.vault.svc:8200', kvVersion: 2, caFile: '/var/run/bulwark/stores/vault/ca.crt', auth: { method: 'kubernetes', role: 'shop-web', mountPath: 'kubernetes' }, pathPrefixes: ['kv/data/shop/'] } },
      reload: [{ type: 'signal', signal: 'SIGHUP' }],
      refreshSeconds: 300,
      onFailure: 'keep-last-good',
      initOnly: false,
      debounceMs: 500,
      limits: { fileBytes: 4194304, totalBytes: 8388608 },
    });
  const envSecret = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } }];

  const rows: Array<{ name: string; obj: KubeObject; want: 'deny' | 'warn' | 'allow'; match?: RegExp }> = [
    { name: 'dev: a plain ConfigMap', obj: cm('shop-dev'), want: 'allow' },
    { name: 'dev: env secrets only warn', obj: pod('shop-dev', {}, envSecret), want: 'warn', match: /dev-advice.*secret-hygiene/ },
    { name: 'dev: a leaked secret is still denied (cluster enforce)', obj: cm('shop-dev', { data: { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl' } }), want: 'deny', match: /cluster-baseline rule secret-leaks.*\(jwt\)/ },
    { name: 'dev: invalid content only warns (cluster audit)', obj: cm('shop-dev', { data: { 'app.yaml': 'server: {port: nope}\n' } }, {}, schema), want: 'warn', match: /policy cluster-schemas rule schema: .*port must be integer/ },
    { name: 'staging: invalid content is denied', obj: cm('shop-staging', { data: { 'app.yaml': 'server: {port: nope}\n' } }, {}, schema), want: 'deny', match: /staging-config rule schema: .*\/data\/app.yaml\/server\/port must be integer/ },
    { name: 'staging: a managed ConfigMap needs a schema', obj: cm('shop-staging', {}, managed), want: 'deny', match: /environment-requirements rule environment: .*must name a ConfigSchema/ },
    { name: 'prod: a compliant managed ConfigMap', obj: cm('shop-prod', { immutable: true }, managed, schema), want: 'allow' },
    { name: 'prod: a managed ConfigMap must be immutable', obj: cm('shop-prod', {}, managed, schema), want: 'deny', match: /must set immutable: true/ },
    { name: 'prod: a managed ConfigMap needs a versioned name', obj: { ...cm('shop-prod', { immutable: true }, managed, schema), metadata: { name: 'app-config', namespace: 'shop-prod', labels: managed, annotations: schema } }, want: 'deny', match: /prod-managed-config rule immutability: .*versioned name/ },
    { name: 'prod: env secrets are denied', obj: pod('payments-prod', {}, envSecret), want: 'deny', match: /prod-config rule secret-hygiene/ },
    { name: 'prod: unpinned secret reference is denied', obj: pod('shop-prod', { 'bulwark.dev/secret.db': 'vault:db/creds#password' }), want: 'deny', match: /must pin a secret version/ },
    { name: 'prod: requires-config satisfied', obj: pod('shop-prod', { 'bulwark.dev/secret.db': 'vault:db/creds#password@4', 'bulwark.dev/requires-config': 'app-config-v2>=2' }), want: 'allow' },
    { name: "prod: a URL password under Bulwark's own note annotation is denied", obj: pod('shop-prod', { 'bulwark.dev/note': 'admin at postgres://admin:Sup3rS3cretPw@db.internal:5432/app' }), want: 'deny', match: /secret-leaks.*annotation bulwark\.dev\/note/ },
    { name: "prod: a PEM private key under a Bulwark annotation is denied", obj: pod('shop-prod', { 'bulwark.dev/comment': '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq8Xb5kqz0a\n-----END RSA PRIVATE KEY-----' }), want: 'deny', match: /secret-leaks.*pem-private-key/ },
    { name: 'prod: a literal password in a template annotation is denied', obj: pod('shop-prod', { 'bulwark.dev/secret.db': 'vault:db/creds#password@4', 'bulwark.dev/template.db': 'postgres://app:hunter2hunter2@db:5432/app' }), want: 'deny', match: /secret-leaks.*annotation bulwark\.dev\/template\.db/ },
    { name: 'prod: a template whose password is a placeholder, a pinned reference and the injection status pass', obj: pod('shop-prod', { 'bulwark.dev/secret.db': 'vault:kv/data/shop/db-credentials#password@4', 'bulwark.dev/template.db': 'postgres://app:{{password}}@db:5432/app?sslmode=require', 'bulwark.dev/status': `injected; spec-sha256=${'ab12'.repeat(16)}` }), want: 'allow' },
    { name: 'prod: an injected pod whose BULWARK_SPEC renders placeholders only passes', obj: pod('shop-prod', {}, [{ name: 'BULWARK_SPEC', value: injectedSpec('postgres://app:{{password}}@db:5432/app') }]), want: 'allow' },
    { name: 'prod: a literal password in the rendered BULWARK_SPEC is denied', obj: pod('shop-prod', {}, [{ name: 'BULWARK_SPEC', value: injectedSpec('postgres://app:hunter2hunter2@db:5432/app') }]), want: 'deny', match: /secret-leaks.*env BULWARK_SPEC/ },
    { name: 'prod: requires-config too new', obj: pod('shop-prod', { 'bulwark.dev/requires-config': 'app-config-v2>=3' }), want: 'deny', match: /references|requires ConfigMap shop-prod\/app-config-v2 >= 3/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const findings = evaluate({ request: request(row.obj), docs, state, ownNamespace: 'bulwark-system' });
      const deny = findings.filter((f) => f.result === 'fail' && f.mode === 'enforce');
      const warn = findings.filter((f) => f.result === 'warn' || f.result === 'error' || (f.result === 'fail' && f.mode === 'audit'));
      const got = deny.length ? 'deny' : warn.length ? 'warn' : 'allow';
      const text = (deny.length ? deny : warn).map((f) => `policy ${f.policy} rule ${f.rule}: ${f.message}`).join('\n');
      assert.equal(got, row.want, text);
      if (row.match) assert.match(text, row.match);
    });
  }
});
