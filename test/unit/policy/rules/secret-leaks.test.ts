import assert from 'node:assert/strict';
import { detectEntropy, detectPatterns, DETECTORS, isPlaceholder, MAX_SCANNED_CHARS, shannonEntropy } from '../../../../webhook/policy/rules/secret-leaks/detectors.js';
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

  // Adversarial values of about 1 MB: each must be processed (a quadratic regex would stall far past
  // mocha's timeout) with the right verdict; the test asserts verdicts, not time.
  const MB = 1_000_000;
  const fill = (unit: string, size = MB) => unit.repeat(Math.ceil(size / unit.length));
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  const adversarial = [
    { name: 'eyJ repeated (JWT restarts)', value: fill('eyJ'), want: [] },
    { name: '-eyJ repeated', value: fill('-eyJ'), want: [] },
    { name: 'JWT-like parts without a third part', value: fill('eyJaaaaaaaaa.eyJaaaaaaaa '), want: [] },
    { name: 'eyJ run then a real JWT after a space', value: `${fill('eyJ', 900_000)} ${jwt}`, want: ['jwt'] },
    { name: 'one huge JWT-charset run', value: `eyJ${fill('a')}.eyJ${fill('b', 1000)}.${fill('c', 1000)}`, want: [] },
    { name: 'BEGIN repeated', value: fill('-----BEGIN AAAA'), want: [] },
    { name: 'BEGIN then endless words', value: `-----BEGIN ${fill('A ')}`, want: [] },
    { name: 'BEGIN words then a real key header', value: `${fill('-----BEGIN X ', 900_000)}\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n`, want: ['pem-private-key'] },
    { name: 'AKIA repeated', value: fill('AKIA'), want: [] },
    { name: 'AWS key id and a long base64 run', value: `AKIAABCDEFGHIJKLMNOP ${fill('a/')}`, want: [] },
    { name: 'AccountKey repeated', value: fill('AccountKey'), want: [] },
    { name: 'SharedAccessKey= and endless spaces', value: `SharedAccessKey=${fill(' ')}x`, want: [] },
    { name: '"type" and endless spaces', value: `"type"${fill(' ')} service_account private_key`, want: [] },
    { name: 'schemes and :// repeated, user:password@ at the very end', value: `${fill('abcdefghijklmnopqrstu://x:y')}@`, want: ['url-password'] },
    { name: 'schemes and :// repeated, a space before the final @', value: `${fill('abcdefghijklmnopqrstu://x:y')} @`, want: [] },
    { name: 'long scheme runs repeated', value: `${fill('aaaaaaaaaaaaaaaaaaaaaaaaa://')}@`, want: [] },
    { name: 'one :// then 1 MB of host', value: `a://${fill('x')}@`, want: [] },
    { name: 'one :// then 1 MB of colons', value: `a://${fill(':')}@`, want: [] },
    { name: 'scheme://user: repeated', value: `${fill('a://b:')}@`, want: [] },
    { name: 'noise then a URL with a password', value: `${fill('a://b ', 900_000)} postgres://app:Zq8vK2mX9pL4@db:5432/app`, want: ['url-password'] },
  ];
  for (const row of adversarial) {
    it(`adversarial 1 MB value: ${row.name}`, () => {
      assert.ok(row.value.length >= 900_000);
      assert.deepEqual(detectPatterns(row.value, all), row.want);
      assert.equal(isPlaceholder(row.value), false);
    });
  }

  it(`scans only the first MAX_SCANNED_CHARS (${MAX_SCANNED_CHARS}) characters of a value`, () => {
    const before = `${fill('x ', MAX_SCANNED_CHARS - 200)} ${jwt}`;
    const after = `${fill('x ', MAX_SCANNED_CHARS + 10)} ${jwt}`;
    assert.deepEqual(detectPatterns(before, all), ['jwt']);
    assert.deepEqual(detectPatterns(after, all), []);
  });

  it('the rule flags a ConfigMap key holding a JWT after 900 kB of eyJ', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'a' }, data: { blob: `${fill('eyJ', 900_000)} ${jwt}` } };
    const out = runFixture('secret-leaks', { file: 'inline', object: obj } as never);
    assert.ok(Array.isArray(out));
    assert.deepEqual(out.map((v) => v.detector), ['jwt']);
  });

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
