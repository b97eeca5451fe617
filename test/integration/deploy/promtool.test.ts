/**
 * Runs Prometheus' own promtool over the PrometheusRule: `promtool check rules` on its spec and
 * `promtool test rules` on every unit test file in deploy/monitoring/tests (input series -> alerts).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT, requireTool, runTool } from './tools.js';

const MON = join(ROOT, 'deploy/monitoring');

describe('deploy: promtool', function () {
  this.timeout(60_000);
  let dir: string;
  let promtool: string;

  before(function () {
    promtool = requireTool(this, 'promtool');
    dir = mkdtempSync(join(tmpdir(), 'bulwark-promtool-'));
    const rule = parse(readFileSync(join(MON, 'prometheusrule.yaml'), 'utf8')) as { spec: unknown };
    writeFileSync(join(dir, 'bulwark.rules.yaml'), stringify(rule.spec));
    for (const f of readdirSync(join(MON, 'tests'))) if (f.endsWith('.test.yaml')) copyFileSync(join(MON, 'tests', f), join(dir, f));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('promtool check rules accepts the PrometheusRule spec', () => {
    const r = runTool(promtool, ['check', 'rules', 'bulwark.rules.yaml'], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  });

  const files = readdirSync(join(MON, 'tests')).filter((f) => f.endsWith('.test.yaml'));
  for (const f of files) {
    it(`promtool test rules ${f}`, () => {
      const r = runTool(promtool, ['test', 'rules', f], { cwd: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS/);
    });
  }

  it('promtool test rules fails when an alert expectation is wrong (the tests can fail)', () => {
    const broken = readFileSync(join(dir, 'webhook.test.yaml'), 'utf8').replace('exp_labels: { severity: critical }', 'exp_labels: { severity: info }');
    assert.notEqual(broken, readFileSync(join(dir, 'webhook.test.yaml'), 'utf8'), 'the mutation applied');
    writeFileSync(join(dir, 'broken.test.yaml'), broken);
    const r = runTool(promtool, ['test', 'rules', 'broken.test.yaml'], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /FAILED/);
  });
});
