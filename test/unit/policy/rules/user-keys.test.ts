/**
 * User-chosen map keys (`__proto__`, `constructor`) are ordinary keys for every rule, and ConfigMap
 * binaryData is scanned for PEM private keys. Objects come through JSON.parse, as admission decodes them.
 */
import assert from 'node:assert/strict';
import { stringMap } from '../../../../webhook/policy/rules/objects.js';
import { runFixture, type Fixture } from './fixtures.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** A ConfigMap decoded from JSON, so `__proto__` is an own key as it is in an AdmissionReview. */
function configMap(fields: string): Record<string, any> {
  return JSON.parse(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","namespace":"team-a","labels":{"bulwark.dev/managed":"true"}},${fields}}`);
}

function run(rule: string, fx: Omit<Fixture, 'file'>) {
  const out = runFixture(rule, { file: 'inline', ...fx });
  assert.ok(Array.isArray(out), `expected violations, got ${JSON.stringify(out)}`);
  return out;
}

describe('rules: user-chosen keys and binaryData', () => {
  it('stringMap keeps __proto__ and does not invent constructor', () => {
    const m = stringMap(JSON.parse('{"__proto__":"x","a":"b"}'));
    assert.deepEqual(Object.keys(m), ['__proto__', 'a']);
    assert.equal(m.__proto__, 'x');
    assert.equal(stringMap({}).constructor, undefined);
  });

  const rows: Array<{ name: string; rule: string; fx: Omit<Fixture, 'file'>; want: RegExp | undefined }> = [
    { name: 'secret-leaks: a PEM key under data key __proto__', rule: 'secret-leaks', fx: { object: configMap(`"data":{"__proto__":${JSON.stringify(PEM)}}`) }, want: /data key __proto__ looks like a plain-text secret \(pem-private-key\)/ },
    { name: 'secret-leaks: a PEM key in binaryData', rule: 'secret-leaks', fx: { object: configMap(`"binaryData":{"key.der":"${b64(PEM)}"}`) }, want: /binaryData key key\.der looks like a plain-text secret \(pem-private-key\)/ },
    { name: 'secret-leaks: a PEM key inside binary bytes', rule: 'secret-leaks', fx: { object: configMap(`"binaryData":{"bundle.bin":"${b64(Buffer.concat([Buffer.from([0, 255, 1, 128]), Buffer.from(PEM), Buffer.from([0xfe])]))}"}`) }, want: /binaryData key bundle\.bin .*pem-private-key/ },
    { name: 'secret-leaks: a PEM key in binaryData under __proto__', rule: 'secret-leaks', fx: { object: configMap(`"binaryData":{"__proto__":"${b64(PEM)}"}`) }, want: /binaryData key __proto__ .*pem-private-key/ },
    { name: 'secret-leaks: binaryData holding a certificate only', rule: 'secret-leaks', fx: { object: configMap(`"binaryData":{"ca.crt":"${b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')}"}`) }, want: undefined },
    { name: 'secret-leaks: binaryData with a JWT is not scanned by text detectors', rule: 'secret-leaks', fx: { object: configMap(`"binaryData":{"blob":"${b64('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')}"}`) }, want: undefined },
    { name: 'secret-leaks: disabled PEM detector skips binaryData', rule: 'secret-leaks', fx: { params: { detectors: ['jwt'] }, object: configMap(`"binaryData":{"k":"${b64(PEM)}"}`) }, want: undefined },
    {
      name: 'immutability: editing data key __proto__ of a managed ConfigMap',
      rule: 'immutability',
      fx: { operation: 'UPDATE', oldObject: configMap('"data":{"__proto__":"a"}'), object: configMap('"data":{"__proto__":"b"}') },
      want: /its data cannot be edited \(keys changed: __proto__\)/,
    },
    {
      name: 'immutability: removing binaryData key __proto__ of a managed ConfigMap',
      rule: 'immutability',
      fx: { operation: 'UPDATE', oldObject: configMap('"binaryData":{"__proto__":"AA=="}'), object: configMap('"binaryData":{}') },
      want: /its binaryData cannot be edited \(keys changed: __proto__\)/,
    },
    {
      name: 'schema: a whole-object schema with additionalProperties: false sees key __proto__',
      rule: 'schema',
      fx: {
        schemas: [{ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigSchema', metadata: { name: 'strict' }, spec: { schema: { type: 'object', properties: { port: { type: 'string' } }, additionalProperties: false } } } as never],
        object: JSON.parse(JSON.stringify(configMap('"data":{"port":"8080"}')).replace('"data":{', '"data":{"__proto__":"x",').replace('"labels"', '"annotations":{"bulwark.dev/schema":"strict"},"labels"')),
      },
      want: /__proto__/,
    },
    ...(['app.properties', 'app.env', 'app.ini'] as const).map((key) => ({
      name: `schema: a __proto__ key in ${key} (its parser would drop it) is refused`,
      rule: 'schema',
      fx: {
        schemas: [{ apiVersion: 'bulwark.dev/v1alpha1', kind: 'ConfigSchema', metadata: { name: 'strict' }, spec: { schema: { type: 'object', additionalProperties: false } } } as never],
        object: JSON.parse(JSON.stringify({ ...configMap(`"data":${JSON.stringify({ [key]: key.endsWith('.ini') ? '[__proto__]\nport=1\n' : '__proto__=1\n' })}`), metadata: { name: 'app', namespace: 'team-a', annotations: { 'bulwark.dev/schema': `${key}=strict` } } })),
      },
      want: /is not valid (properties|env|ini): the key __proto__ cannot be validated/,
    })),
  ];
  for (const row of rows) {
    it(row.name, () => {
      const out = run(row.rule, row.fx).filter((v) => (v.severity ?? 'fail') === 'fail');
      if (row.want === undefined) assert.deepEqual(out, []);
      else assert.ok(out.some((v) => row.want!.test(v.message)), JSON.stringify(out.map((v) => v.message)));
    });
  }
});
