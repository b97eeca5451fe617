/**
 * The annotation parsers that accept values (the malformed side is in malformed.test.ts), the status
 * annotation, the resource ceiling, and the catalogue's honesty against docs/annotations.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as A from '../../../webhook/inject/annotations.js';
import { parseInjectionConfig } from '../../../webhook/inject/config.js';
import { parseCpu, parseMemory, resolveResources } from '../../../webhook/inject/resources.js';
import { parseStatus, specHash, statusValue } from '../../../webhook/inject/status.js';
import { options } from './fixtures.js';

describe('inject/annotations: parseReload', () => {
  const rows = [
    { name: 'none', input: 'none', want: [{ type: 'none' }] },
    { name: 'restart', input: 'restart', want: [{ type: 'restart' }] },
    { name: 'signal without SIG prefix', input: 'signal:hup', want: [{ type: 'signal', signal: 'SIGHUP' }] },
    { name: 'signal with process', input: 'signal:SIGUSR1:java', want: [{ type: 'signal', signal: 'SIGUSR1', process: 'java' }] },
    { name: 'http: with a URL', input: 'http:http://127.0.0.1:9090/-/reload', want: [{ type: 'http', url: 'http://127.0.0.1:9090/-/reload' }] },
    { name: 'a bare URL', input: 'https://localhost:8443/reload', want: [{ type: 'http', url: 'https://localhost:8443/reload' }] },
    { name: 'a URL with a comma in its query, then restart', input: 'http://localhost/r?a=1,2, restart', want: [{ type: 'http', url: 'http://localhost/r?a=1,2' }, { type: 'restart' }] },
    {
      name: 'a chain: signal, http, restart',
      input: 'signal:HUP:nginx, http:http://[::1]:8080/reload,restart',
      want: [{ type: 'signal', signal: 'SIGHUP', process: 'nginx' }, { type: 'http', url: 'http://[::1]:8080/reload' }, { type: 'restart' }],
    },
  ];
  for (const row of rows) it(row.name, () => assert.deepEqual(A.parseReload(A.ANNOTATION_RELOAD, row.input).value, row.want));

  it('rejects none in a chain and more than four steps', () => {
    assert.match(A.parseReload('k', 'none, restart').error!.message, /"none" must stand alone/);
    assert.match(A.parseReload('k', 'signal:HUP, signal:USR1, signal:USR2, signal:TERM, restart').error!.message, /use at most 4/);
  });
});

describe('inject/annotations: other parsers', () => {
  const rows: Array<{ name: string; got: () => unknown; want: unknown }> = [
    { name: 'mount path below /etc', got: () => A.parseMountPath('k', '/etc/app/secrets').value, want: '/etc/app/secrets' },
    { name: 'mount path default', got: () => A.parseMountPath('k', A.DEFAULT_MOUNT_PATH).value, want: '/bulwark' },
    { name: 'mount path trailing slash', got: () => A.parseMountPath('k', '/bulwark/').value, want: undefined },
    { name: 'mode 440 without leading zero', got: () => A.parseMode('k', '440').value, want: 0o440 },
    { name: 'mode 0600', got: () => A.parseMode('k', '0600').value, want: 0o600 },
    { name: 'format from .yml', got: () => A.formatFromName('app.yml'), want: 'yaml' },
    { name: 'format from .properties', got: () => A.formatFromName('app.properties'), want: 'properties' },
    { name: 'format without extension', got: () => A.formatFromName('password'), want: 'raw' },
    { name: 'file name with dots and dashes', got: () => A.parseFileName('k', 'app.config-v2_1.json').value, want: 'app.config-v2_1.json' },
    { name: 'file name with ".."', got: () => A.parseFileName('k', 'a..b').value, want: undefined },
    { name: 'duration in bounds', got: () => A.parseBoundedDuration('k', '1h30m', A.REFRESH_MIN_MS, A.REFRESH_MAX_MS, '').value, want: 5_400_000 },
    { name: 'loopback URL 127.0.0.2', got: () => A.parseLoopbackUrl('k', 'http://127.0.0.2:1/x').value, want: 'http://127.0.0.2:1/x' },
    { name: 'URL with credentials', got: () => A.parseLoopbackUrl('k', 'http://u:p@localhost/x').value, want: undefined },
    { name: 'URL of another scheme', got: () => A.parseLoopbackUrl('k', 'file:///etc/passwd').value, want: undefined },
    { name: 'container list deduplicated', got: () => A.parseContainerNames('k', 'app, worker,app').value, want: ['app', 'worker'] },
    { name: 'template with sections and variables', got: () => A.parseTemplate('k', '{{#db}}{{user}}:{{password}}{{/db}}').value, want: '{{#db}}{{user}}:{{password}}{{/db}}' },
    { name: 'template with a nested partial', got: () => A.parseTemplate('k', '{{#a}}{{> p}}{{/a}}').value, want: undefined },
  ];
  for (const row of rows) it(row.name, () => assert.deepEqual(row.got(), row.want));
});

describe('inject/config: parseInjectionConfig', () => {
  it('refuses an unknown bulwark.dev key with the closest known one (a typo would silently drop a file)', () => {
    const cases: Array<[string, string | undefined]> = [
      ['bulwark.dev/secrets.typo', 'bulwark.dev/secret.typo'],
      ['bulwark.dev/injct', 'bulwark.dev/inject'],
      ['bulwark.dev/reloads', 'bulwark.dev/reload'],
      ['bulwark.dev/confg.app.yaml', 'bulwark.dev/config.app.yaml'],
      ['bulwark.dev/zzzzzzzzzzzz', undefined],
    ];
    for (const [key, hint] of cases) {
      const p = parseInjectionConfig({ 'bulwark.dev/secret.db': 'vault:kv/a', [key]: 'x' });
      assert.equal(p.errors.length, 1, key);
      assert.equal(p.errors[0]!.field, key);
      if (hint) assert.match(p.errors[0]!.message, new RegExp(`did you mean ${hint.replace(/\./g, '\\.')}\\?`), key);
      else assert.doesNotMatch(p.errors[0]!.message, /did you mean/, key);
    }
  });

  it('applies defaults without writing them anywhere', () => {
    const ann = { 'bulwark.dev/secret.db': 'vault:kv/a', 'bulwark.dev/requires-config': 'app>=2' };
    const p = parseInjectionConfig(ann);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.warnings, []);
    assert.deepEqual(p.config, {
      files: [{ name: 'db', kind: 'secret', sources: [{ store: 'vault', path: 'kv/a' }], format: 'raw', mode: 0o400, sourceKey: 'bulwark.dev/secret.db' }],
      reload: [{ type: 'none' }],
      refreshSeconds: 60,
      mountPath: '/bulwark',
      onFailure: 'keep-last-good',
      resources: {},
    });
    assert.deepEqual(ann, { 'bulwark.dev/secret.db': 'vault:kv/a', 'bulwark.dev/requires-config': 'app>=2' });
  });

  it('ignores annotations outside the prefix', () => {
    const p = parseInjectionConfig({ 'vault.hashicorp.com/agent-inject': 'true', 'example.com/secret.db': 'x' });
    assert.deepEqual(p.errors, []);
    assert.equal(p.config.files.length, 0);
  });

  it('rejects more than 64 files', () => {
    const ann: Record<string, string> = {};
    for (let i = 0; i < 65; i++) ann[`bulwark.dev/secret.f${i}`] = 'vault:kv/a';
    assert.match(parseInjectionConfig(ann).errors[0]!.message, /asks for 65 files; use at most 64/);
  });

  it('warns when health-timeout is set without health', () => {
    const p = parseInjectionConfig({ 'bulwark.dev/secret.db': 'vault:kv/a', 'bulwark.dev/health-timeout': '5s' });
    assert.deepEqual(p.warnings, ['bulwark.dev/health-timeout has no effect without bulwark.dev/health']);
  });
});

describe('inject/resources', () => {
  it('parses quantities', () => {
    assert.equal(parseCpu('250m'), 250);
    assert.equal(parseCpu('0.5'), 500);
    assert.equal(parseCpu('2'), 2000);
    assert.equal(parseCpu('1Gi'), undefined);
    assert.equal(parseMemory('64Mi'), 64 * 1024 * 1024);
    assert.equal(parseMemory('1G'), 1e9);
    assert.equal(parseMemory('1m'), undefined);
  });

  it('allows overrides up to the configured limit, never above', () => {
    const ok = resolveResources(options(), { cpuRequest: '200m', cpuLimit: '0.1', memoryRequest: '16Mi' });
    assert.deepEqual(ok.errors.map((e) => e.message), ['the cpu request 200m is above the cpu limit 0.1; the request must not exceed the limit']);
    const fine = resolveResources(options(), { cpuRequest: '100m', memoryLimit: '128Mi' });
    assert.deepEqual(fine, { value: { requests: { cpu: '100m', memory: '48Mi' }, limits: { cpu: '200m', memory: '128Mi' } }, errors: [] });
    const above = resolveResources(options(), { memoryLimit: '129Mi' });
    assert.equal(above.errors[0]!.field, 'bulwark.dev/memory-limit');
  });
});

describe('inject/status', () => {
  it('round-trips the hash and rejects malformed values', () => {
    const h = specHash('{"a":1}');
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(parseStatus(statusValue(h)), h);
    assert.equal(parseStatus('injected'), undefined);
    assert.equal(parseStatus(`injected; spec-sha256=${h.toUpperCase()}`), undefined);
    assert.equal(parseStatus(undefined), undefined);
  });
});

describe('inject/annotations: the catalogue and its documentation', () => {
  it('every key of the catalogue is documented in docs/annotations.md with its example', () => {
    const doc = readFileSync(new URL('../../../../docs/annotations.md', import.meta.url), 'utf8');
    for (const a of A.ANNOTATIONS) {
      assert.ok(doc.includes(`\`${a.key}\``), `docs/annotations.md lacks ${a.key}`);
      assert.ok(doc.includes(a.example), `docs/annotations.md lacks the example ${a.example} of ${a.key}`);
    }
  });

  it('every key constant is in the catalogue', () => {
    const keys = Object.entries(A)
      .filter(([n, v]) => n.startsWith('ANNOTATION_') && n !== 'ANNOTATION_PREFIX' && typeof v === 'string')
      .map(([n, v]) => (n.endsWith('_PREFIX') ? `${v as string}<file>` : (v as string)));
    const listed = new Set(A.ANNOTATIONS.map((a) => a.key));
    for (const k of keys) assert.ok(listed.has(k), `${k} is missing from ANNOTATIONS`);
    assert.equal(listed.size, keys.length);
  });
});
