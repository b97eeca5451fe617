import assert from 'node:assert/strict';
import { detectEntropy, detectPatterns, DETECTORS, isPlaceholder, shannonEntropy } from '../../../../webhook/policy/rules/secret-leaks/detectors.js';
import { candidates } from '../../../../webhook/policy/rules/secret-leaks/rule.js';
import { loadFixtures, runFixture } from './fixtures.js';
import { fixtureSuite } from './suite.js';

fixtureSuite('secret-leaks');

describe('secret-leaks rule', () => {
  it('never puts a scanned value in a message', () => {
    for (const fx of loadFixtures('secret-leaks', 'disallowed')) {
      const out = runFixture('secret-leaks', fx);
      assert.ok(Array.isArray(out));
      const text = out.map((v) => v.message).join('\n');
      for (const c of candidates(fx.object as never)) {
        for (const piece of c.value.split(/[\s=;:@/"',]+/).filter((p) => p.length >= 12 && /[0-9]/.test(p))) {
          assert.ok(!text.includes(piece), `${fx.file}: message leaks part of the value`);
        }
      }
    }
  });

  const all = new Set(DETECTORS);
  const rows = [
    { name: 'OpenSSH key', value: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----', want: ['pem-private-key'] },
    { name: 'public certificate', value: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', want: [] },
    { name: 'AWS key id alone', value: 'AKIAIOSFODNN7EXAMPLE', want: [] },
    { name: 'URL with placeholder password', value: 'amqp://user:$(RABBIT_PASS)@mq:5672', want: [] },
    { name: 'URL without password', value: 'https://user@example.com/x', want: [] },
    { name: 'Service Bus SAS', value: 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=', want: ['azure-connection-string'] },
  ];
  for (const row of rows) {
    it(`patterns: ${row.name}`, () => assert.deepEqual(detectPatterns(row.value, all), row.want));
  }

  const opts = { minLength: 16, minEntropy: 3.5, keyPattern: /(password|secret|token|(^|[-_.])key$)/i };
  const entropyRows = [
    { key: 'API_TOKEN', value: 'Zq8vK2mX9pL4wR7tY3nB6cJ1', want: true },
    { key: 'API_TOKEN', value: 'aaaaaaaaaaaaaaaaaaaaaaaa', want: false },
    { key: 'LOG_LEVEL', value: 'Zq8vK2mX9pL4wR7tY3nB6cJ1', want: false },
    { key: 'password', value: '${DB_PASSWORD_FROM_ENV}', want: false },
    { key: 'signing-key', value: 'Zq8vK2mX9pL4wR7tY3nB6cJ1', want: true },
    { key: 'monkey', value: 'Zq8vK2mX9pL4wR7tY3nB6cJ1', want: false },
  ];
  for (const row of entropyRows) {
    it(`entropy: ${row.key}=${row.want}`, () => assert.equal(detectEntropy(row.key, row.value, opts), row.want));
  }

  it('computes Shannon entropy', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
  });

  it('recognises placeholders', () => {
    for (const v of ['${X}', '$(X)', '{{ .Values.x }}', '<password>', '****', 'changeme', 'vault:secret/data/x']) assert.ok(isPlaceholder(v), v);
    assert.ok(!isPlaceholder('hunter2hunter2'));
  });

  it('skips the last-applied-configuration annotation and Secret data', () => {
    const got = candidates({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}', note: 'x' } },
      data: { k: 'dg==' },
    } as never);
    assert.deepEqual(got.map((c) => c.key), ['note']);
  });
});
