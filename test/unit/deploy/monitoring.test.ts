/**
 * Checks the PrometheusRule, its promtool tests and the Grafana dashboard against what the code
 * exports: every metric they read exists in the webhook's or the sidecar's registry, every alert
 * has a summary, a description and a runbook section, and every alert has firing and quiet tests.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '../../../webhook/metrics.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { familyOf, metricNamesOf } from './promql-metrics.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const MON = join(ROOT, 'deploy/monitoring');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const ruleDoc = parse(readFileSync(join(MON, 'prometheusrule.yaml'), 'utf8')) as { kind: string; spec: { groups: { name: string; rules: Rule[] }[] } };
const rules = ruleDoc.spec.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);
const dashboard = JSON.parse(readFileSync(join(MON, 'dashboards/bulwark.json'), 'utf8')) as { uid: string; panels: any[] };
const runbooks = readFileSync(join(ROOT, 'docs/runbooks.md'), 'utf8');

/** Series Prometheus itself adds to every scrape target. */
const SYNTHETIC = new Set(['up']);

function exportedFamilies(): Set<string> {
  const names = new Set<string>(SYNTHETIC);
  for (const m of createMetrics({ processMetrics: false }).registry.getMetricsAsArray()) names.add(m.name);
  for (const m of new SidecarMetrics().registry.getMetricsAsArray()) names.add(m.name);
  return names;
}

/** GitHub's anchor for a markdown heading. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

describe('deploy: PromQL metric extraction', () => {
  const rows = [
    { name: 'plain selector', input: 'up{job="x"} == 0', want: ['up'] },
    { name: 'rate and sum by', input: 'sum by (webhook) (rate(a_total{decision=~"error|x"}[5m])) / sum by (webhook) (rate(a_total[5m]))', want: ['a_total'] },
    { name: 'histogram_quantile', input: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) > 1', want: ['h_bucket'] },
    { name: 'binary with filter', input: 'max by (t, q) (usage / (limit > 0)) > 0.9', want: ['limit', 'usage'] },
    { name: 'absent and or', input: 'sum(up{job="w"}) == 0 or absent(up{job="w"})', want: ['up'] },
    { name: 'grafana variables', input: 'sum(increase(r_total{job="s"}[$__range])) * 1000', want: ['r_total'] },
    { name: 'on() matching', input: 'a / on (tenant, quota) group_left b', want: ['a', 'b'] },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(metricNamesOf(row.input), row.want));
  }
});

describe('deploy: PrometheusRule', () => {
  it('is a PrometheusRule with at least the required alerts', () => {
    assert.equal(ruleDoc.kind, 'PrometheusRule');
    const required = [
      'BulwarkEnforceDenials', // denials by enforce policies
      'BulwarkAuditFindingsGrowing',
      'BulwarkWebhookDown',
      'BulwarkWebhookErrors',
      'BulwarkWebhookLatencyHigh',
      'BulwarkCertificateExpiringSoon',
      'BulwarkPolicyReloadFailing',
      'BulwarkSidecarFetchFailing',
      'BulwarkSecretsStale',
      'BulwarkSidecarRollbacks',
      'BulwarkTenantQuotaNearLimit',
    ];
    const names = alerts.map((a) => a.alert);
    for (const r of required) assert.ok(names.includes(r), `missing alert ${r}`);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
  });

  for (const a of alerts) {
    it(`${a.alert}: summary, description, severity and a runbook section that exists`, () => {
      assert.ok(a.annotations?.summary?.trim(), 'summary');
      assert.ok((a.annotations?.description?.trim().length ?? 0) > 40, 'description explains the impact');
      assert.ok(['critical', 'warning', 'info'].includes(a.labels?.severity ?? ''), `severity ${a.labels?.severity}`);
      const url = a.annotations?.runbook_url ?? '';
      const m = /\/docs\/runbooks\.md#([a-z0-9-]+)$/.exec(url);
      assert.ok(m, `runbook_url ${url} must point to a section of docs/runbooks.md`);
      const anchors = [...runbooks.matchAll(/^#{2,3} (.+)$/gm)].map((h) => anchorOf(h[1]!));
      assert.ok(anchors.includes(m[1]!), `docs/runbooks.md has no section #${m[1]}`);
    });
  }

  it('every metric the rules read is exported by the webhook or the sidecar', () => {
    const families = exportedFamilies();
    const missing = rules.flatMap((r) => metricNamesOf(r.expr).filter((n) => !families.has(familyOf(n, families))).map((n) => `${r.alert}: ${n}`));
    assert.deepEqual(missing, []);
  });

  it('the check above fails for a metric nobody exports', () => {
    const families = exportedFamilies();
    assert.ok(!families.has(familyOf('bulwark_made_up_total', families)));
    assert.ok(families.has(familyOf('bulwark_admission_duration_seconds_bucket', families)));
  });
});

describe('deploy: promtool unit tests cover every alert', () => {
  const files = readdirSync(join(MON, 'tests')).filter((f) => f.endsWith('.test.yaml'));
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const f of files) {
    const doc = parse(readFileSync(join(MON, 'tests', f), 'utf8')) as { rule_files: string[]; tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
    assert.deepEqual(doc.rule_files, ['bulwark.rules.yaml'], `${f} must load bulwark.rules.yaml (written by the promtool test)`);
    for (const t of doc.tests) for (const c of t.alert_rule_test ?? []) (c.exp_alerts.length ? firing : quiet).add(c.alertname);
  }
  for (const a of alerts) {
    it(`${a.alert} has a case where it fires and one where it stays quiet`, () => {
      assert.ok(firing.has(a.alert!), 'no firing case');
      assert.ok(quiet.has(a.alert!), 'no quiet case');
    });
  }
});

describe('deploy: Grafana dashboard', () => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  it('has a stable uid, unique panel ids and a datasource variable', () => {
    assert.equal(dashboard.uid, 'bulwark-overview');
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(panels.length >= 10);
  });
  it('shows admission rate and latency, violations by policy and tenant, injections, sidecar freshness and reloads', () => {
    const exprs = panels.flatMap((p) => p.targets.map((t: { expr: string }) => t.expr)).join('\n');
    for (const m of ['bulwark_admission_requests_total', 'bulwark_admission_duration_seconds_bucket', 'bulwark_injections_total', 'bulwark_sidecar_staleness_seconds', 'bulwark_sidecar_reloads_total']) {
      assert.ok(exprs.includes(m), m);
    }
    assert.match(exprs, /by \(policy, mode\) \(rate\(bulwark_policy_violations_total/);
    assert.match(exprs, /by \(tenant, mode\) \(rate\(bulwark_policy_violations_total/);
  });
  it('every metric a panel reads is exported by the webhook or the sidecar', () => {
    const families = exportedFamilies();
    const missing = panels.flatMap((p) =>
      p.targets.flatMap((t: { expr: string }) => metricNamesOf(t.expr).filter((n) => !families.has(familyOf(n, families))).map((n) => `${p.title}: ${n}`)),
    );
    assert.deepEqual(missing, []);
  });
  it('panels do not overlap', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const g = p.gridPos;
      for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
        const k = `${x},${y}`;
        assert.ok(!cells.has(k), `panel ${p.title} overlaps at ${k}`);
        cells.add(k);
      }
      assert.ok(g.x + g.w <= 24, `${p.title} is wider than the grid`);
    }
  });
});
