import assert from 'node:assert/strict';
import { parseDuration } from '../../../webhook/config/duration.js';
import { resolveOptions, SETTINGS, quantityBytes, sidecarSizeLimits } from '../../../webhook/config/options.js';

describe('server options', () => {
  it('fills defaults and freezes the result', () => {
    const o = resolveOptions({}, {});
    assert.equal(o.port, 8443);
    assert.equal(o.address, '127.0.0.1');
    assert.equal(o.maxBodyBytes, 6 * 1024 * 1024);
    assert.equal(o.shutdownTimeoutMs, 20_000);
    assert.ok(Object.isFrozen(o));
  });

  it('prefers flags over environment over defaults', () => {
    assert.equal(resolveOptions({}, { BULWARK_PORT: '9443' }).port, 9443);
    assert.equal(resolveOptions({ port: '10443' }, { BULWARK_PORT: '9443' }).port, 10443);
    assert.equal(resolveOptions({}, { BULWARK_MAX_BODY_BYTES: '512Ki' }).maxBodyBytes, 512 * 1024);
  });

  const bad: Array<{ name: string; flags?: Record<string, unknown>; env?: Record<string, string>; want: RegExp }> = [
    { name: 'port not a number', env: { BULWARK_PORT: 'http' }, want: /--port \(BULWARK_PORT="http"\)/ },
    { name: 'port out of range', flags: { port: '70000' }, want: /--port.*<= 65535/ },
    { name: 'bad duration', env: { BULWARK_SHUTDOWN_TIMEOUT: 'soon' }, want: /--shutdown-timeout.*duration/ },
    { name: 'bad size', env: { BULWARK_MAX_BODY_BYTES: '6MB' }, want: /--max-body-bytes.*size/ },
    { name: 'bad enum', flags: { logLevel: 'verbose' }, want: /--log-level.*allowed values|--log-level/ },
    { name: 'bad namespace', env: { BULWARK_NAMESPACE: 'Bad_NS' }, want: /--own-namespace/ },
    { name: 'bad quantity', env: { BULWARK_SIDECAR_MEMORY_LIMIT: 'lots' }, want: /--sidecar-memory-limit/ },
  ];
  for (const b of bad) {
    it(`stops on ${b.name} and names the setting`, () => {
      assert.throws(() => resolveOptions(b.flags ?? {}, b.env ?? {}), (err: any) => err.code === 'CONFIG_INVALID' && b.want.test(err.message));
    });
  }

  it('stops on an unknown BULWARK_* variable and names it, but ignores the sidecar and test tooling variables', () => {
    assert.throws(() => resolveOptions({}, { BULWARK_PROT: '9443' }), (err: any) => err.code === 'CONFIG_INVALID' && /BULWARK_PROT/.test(err.message));
    assert.equal(resolveOptions({}, { BULWARK_E2E_KEEP: '1', BULWARK_PEERS_DIR: '/x', BULWARK_SPEC: '{}', HOME: '/root' }).port, 8443);
  });

  it("starts next to a Service named bulwark-webhook or bulwark: kubelet's service-link variables are not settings", () => {
    // what kubelet put into deploy/base's own webhook pods (the node tier found them crash-looping on it)
    const links = {
      BULWARK_WEBHOOK_PORT: 'tcp://10.96.12.34:443',
      BULWARK_WEBHOOK_PORT_443_TCP: 'tcp://10.96.12.34:443',
      BULWARK_WEBHOOK_PORT_443_TCP_ADDR: '10.96.12.34',
      BULWARK_WEBHOOK_PORT_443_TCP_PORT: '443',
      BULWARK_WEBHOOK_PORT_443_TCP_PROTO: 'tcp',
      BULWARK_WEBHOOK_SERVICE_HOST: '10.96.12.34',
      BULWARK_WEBHOOK_SERVICE_PORT: '443',
      BULWARK_WEBHOOK_SERVICE_PORT_HTTPS: '443',
    };
    assert.equal(resolveOptions({}, links).port, 8443);
    // a Service named "bulwark" links BULWARK_PORT, which is also a setting: the link is not read as one
    assert.equal(resolveOptions({}, { BULWARK_PORT: 'tcp://10.96.0.9:443', BULWARK_SERVICE_HOST: '10.96.0.9' }).port, 8443);
    assert.equal(resolveOptions({}, { BULWARK_PORT: '9443' }).port, 9443);
    // the shape must match in name and value: a mistyped setting still stops the start
    assert.throws(() => resolveOptions({}, { BULWARK_WEBHOOK_PORT: '9443' }), /BULWARK_WEBHOOK_PORT/);
    assert.throws(() => resolveOptions({}, { BULWARK_METRICS_PORT: 'tcp://nope' }), /BULWARK_METRICS_PORT/);
  });

  it('documents every setting with a flag, an environment variable and a sentence', () => {
    const flags = new Set<string>();
    for (const s of SETTINGS) {
      assert.match(s.flag, /^--[a-z][a-z-]+$/);
      assert.match(s.env, /^(BULWARK_[A-Z_]+|KUBECONFIG)$/);
      assert.ok(s.doc.endsWith('.') || s.doc.endsWith(')'), `${s.flag} doc is a sentence`);
      assert.ok(!flags.has(s.flag), `${s.flag} is unique`);
      flags.add(s.flag);
    }
  });

  const durations: Array<[string, number | undefined]> = [['500ms', 500], ['20s', 20000], ['1m30s', 90000], ['1.5h', 5400000], ['10', undefined], ['', undefined], ['5d', undefined]];
  for (const [text, want] of durations) it(`parses duration ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), want));
});

describe('label admins setting', () => {
  it('defaults to system:masters and splits comma-separated lists', async () => {
    const { labelAdmins } = await import('../../../webhook/config/label-admins.js');
    assert.deepEqual(labelAdmins(resolveOptions({}, {})), { groups: ['system:masters'], users: [] });
    assert.deepEqual(labelAdmins(resolveOptions({ labelAdminUsers: 'alice, bob' }, { BULWARK_LABEL_ADMIN_GROUPS: 'platform-admins' })), { groups: ['platform-admins'], users: ['alice', 'bob'] });
  });
});

describe('sidecar size limits from the volume', () => {
  it('reads Kubernetes quantities as bytes', () => {
    assert.deepEqual(['16Mi', '1.5Gi', '64000', '2k', '1M', 'x', '16 Mi'].map(quantityBytes), [16 * 1024 ** 2, 1.5 * 1024 ** 3, 64000, 2000, 1e6, undefined, undefined]);
  });
  it('gives the set half the volume and a file no more than the set', () => {
    assert.deepEqual(sidecarSizeLimits('16Mi', 4 * 1024 ** 2), { fileBytes: 4 * 1024 ** 2, totalBytes: 8 * 1024 ** 2 });
    assert.deepEqual(sidecarSizeLimits('2Mi', 4 * 1024 ** 2), { fileBytes: 1024 ** 2, totalBytes: 1024 ** 2 });
  });
});
