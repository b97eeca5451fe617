import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { runCli } from '../../helpers/process.js';

const FIX = 'test/fixtures/review';

describe('bulwark review', function () {
  this.timeout(30_000);

  it('exits 0 and prints the injection patch when everything is allowed', async () => {
    const r = await runCli(['review', `${FIX}/good.yaml`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ALLOWED ConfigMap shop-dev\/web-settings/);
    assert.match(r.stdout, /ALLOWED Pod shop-dev\/web/);
    assert.match(r.stdout, /add \/spec\/initContainers/);
    assert.match(r.stdout, /2 objects reviewed: 2 allowed, 0 denied/);
  });

  it('exits 1 when any object is denied and never prints the secret value', async () => {
    const r = await runCli(['review', `${FIX}/leaky.yaml`, `${FIX}/good.yaml`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /DENIED {2}ConfigMap shop-dev\/leaky/);
    assert.match(r.stdout, /DATABASE_URL/);
    assert.doesNotMatch(r.stdout, /hunter2/);
  });

  it('reads List objects from JSON and names the bad annotation', async () => {
    const r = await runCli(['review', `${FIX}/list.json`, '--output', 'json']);
    assert.equal(r.code, 1);
    const results = JSON.parse(r.stdout);
    assert.equal(results.length, 2);
    assert.equal(results[0].allowed, true);
    assert.equal(results[1].allowed, false);
    assert.equal(results[1].deniedBy, 'mutate');
    assert.match(results[1].message, /bulwark\.dev\/secret\.\.\.\/etc\/passwd/);
  });

  it('reads standard input', async () => {
    const r = await runCli(['review', '-'], { input: await readFile(`${FIX}/leaky.yaml`, 'utf8') });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /<stdin>/);
  });

  it('walks a directory', async () => {
    const r = await runCli(['review', FIX, '--output', 'json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).length, 5);
  });

  it('prints SARIF with the rule and location of each finding', async () => {
    const r = await runCli(['review', `${FIX}/leaky.yaml`, '--output', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results;
    assert.ok(results.some((x: any) => /secret-leaks/.test(x.ruleId) && x.level === 'error'));
    assert.doesNotMatch(r.stdout, /hunter2/);
  });

  it('prints JUnit XML with a failure per denied object', async () => {
    const r = await runCli(['review', `${FIX}/leaky.yaml`, `${FIX}/good.yaml`, '--output', 'junit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<\?xml/);
    assert.match(r.stdout, /<testsuite[^>]*failures="1"/);
    assert.match(r.stdout, /<failure/);
  });

  const bad: Array<{ name: string; args: string[]; want: RegExp }> = [
    { name: 'a file that does not parse', args: ['test/fixtures/broken.yaml'], want: /test\/fixtures\/broken\.yaml: document 1/ },
    { name: 'a missing file', args: ['no/such/file.yaml'], want: /no\/such\/file\.yaml: no such file/ },
    { name: 'a policies directory that does not exist', args: [`${FIX}/good.yaml`, '--policies', 'no/such/dir'], want: /no\/such\/dir/ },
    { name: 'an unknown output format', args: [`${FIX}/good.yaml`, '--output', 'xml'], want: /xml/ },
  ];
  for (const b of bad) {
    it(`exits 2 on ${b.name} and says which input`, async () => {
      const r = await runCli(['review', ...b.args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, b.want);
    });
  }
});

describe('bulwark certs', function () {
  this.timeout(30_000);
  it('writes a CA and a serving certificate for the hosts', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { X509Certificate } = await import('node:crypto');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/bulwark-certs-`);
    try {
      const r = await runCli(['certs', '--out', dir, '--hosts', 'bulwark.bulwark-system.svc,127.0.0.1']);
      assert.equal(r.code, 0, r.stderr);
      const cert = new X509Certificate(await readFile(`${dir}/tls.crt`));
      const ca = new X509Certificate(await readFile(`${dir}/ca.crt`));
      assert.ok(cert.verify(ca.publicKey));
      assert.match(cert.subjectAltName ?? '', /DNS:bulwark\.bulwark-system\.svc/);
      assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
      const { stat } = await import('node:fs/promises');
      assert.equal((await stat(`${dir}/tls.key`)).mode & 0o777, 0o600);
      assert.match(r.stdout, /caBundle/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on an invalid host', async () => {
    const r = await runCli(['certs', '--out', '/tmp/x', '--hosts', 'bad host!']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid: bad host!/);
  });
});
