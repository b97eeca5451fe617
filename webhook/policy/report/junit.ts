/**
 * Formats review results as JUnit XML: one test suite per source file, one test case per object and
 * policy rule; enforce failures fail, broken policies error, skipped rules are skipped.
 */
import type { Finding } from '../findings.js';
import { objectId, type ObjectResult } from './types.js';

/** Escapes text for XML attributes and content. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

interface Case {
  classname: string;
  name: string;
  findings: Finding[];
}

function caseXml(c: Case): string {
  const line = (f: Finding) => `${f.message}${f.path ? ` (at ${f.path})` : ''}`;
  const fails = c.findings.filter((f) => f.result === 'fail' && f.mode === 'enforce');
  const errors = c.findings.filter((f) => f.result === 'error');
  const notes = c.findings.filter((f) => f.result === 'warn' || (f.result === 'fail' && f.mode === 'audit'));
  const head = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"`;
  const body: string[] = [];
  if (fails.length) body.push(`      <failure message="${xmlEscape(line(fails[0]!))}" type="enforce">${xmlEscape(fails.map(line).join('\n'))}</failure>`);
  if (errors.length) body.push(`      <error message="${xmlEscape(line(errors[0]!))}" type="policy-error">${xmlEscape(errors.map(line).join('\n'))}</error>`);
  if (!fails.length && !errors.length && c.findings.every((f) => f.result === 'skip')) body.push(`      <skipped message="${xmlEscape(c.findings[0]?.message ?? '')}"/>`);
  if (notes.length) body.push(`      <system-out>${xmlEscape(notes.map((f) => `[${f.result === 'warn' ? 'warn' : 'audit'}] ${line(f)}`).join('\n'))}</system-out>`);
  return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
}

/** Builds a JUnit XML report from review results. */
export function toJUnit(results: ObjectResult[]): string {
  const bySource = new Map<string, Case[]>();
  for (const r of results) {
    const cases = bySource.get(r.source) ?? [];
    const byRule = new Map<string, Case>();
    for (const f of r.findings) {
      const key = `${f.policy}/${f.rule}`;
      const c = byRule.get(key) ?? { classname: objectId(r), name: key, findings: [] };
      c.findings.push(f);
      byRule.set(key, c);
    }
    if (!byRule.size) cases.push({ classname: objectId(r), name: 'no matching policy', findings: [] });
    cases.push(...byRule.values());
    bySource.set(r.source, cases);
  }
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites: string[] = [];
  for (const [source, cases] of bySource) {
    const f = cases.filter((c) => c.findings.some((x) => x.result === 'fail' && x.mode === 'enforce')).length;
    const e = cases.filter((c) => c.findings.some((x) => x.result === 'error')).length;
    const s = cases.filter((c) => c.findings.length > 0 && c.findings.every((x) => x.result === 'skip')).length;
    total += cases.length;
    failures += f;
    errors += e;
    skipped += s;
    suites.push(`  <testsuite name="${xmlEscape(source)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="${s}">\n${cases.map(caseXml).join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bulwark review" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
