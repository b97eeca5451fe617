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
