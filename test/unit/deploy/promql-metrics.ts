/**
 * Extracts the metric names a PromQL expression reads, so a test can check that every alert and
 * dashboard panel uses a metric the webhook or the sidecar actually exports.
 */

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset',
  'inf', 'nan', 'atan2', 'start', 'end',
]);

/** Grafana template variables that stand for ranges in dashboard queries. */
const GRAFANA_VARS = /\$__[a-z_]+|\$\{?[A-Za-z_]+\}?/g;

/** Returns the distinct metric names read by a PromQL expression (functions, keywords and labels removed). */
export function metricNamesOf(expr: string): string[] {
  let s = expr.replace(GRAFANA_VARS, '1m');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""'); // string literals
  s = s.replace(/\{[^}]*\}/g, ' '); // label matchers
  s = s.replace(/\[[^\]]*\]/g, ' '); // range and subquery selectors
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  s = s.replace(/\b[A-Za-z_:][A-Za-z0-9_:]*\s*\(/g, '('); // function and aggregation names
  s = s.replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' '); // numbers
  const names = new Set<string>();
  for (const m of s.matchAll(/\b[A-Za-z_:][A-Za-z0-9_:]*\b/g)) {
    if (!KEYWORDS.has(m[0].toLowerCase())) names.add(m[0]);
  }
  return [...names].sort();
}

/** Maps a histogram or summary series name (_bucket, _sum, _count) to the metric family name. */
export function familyOf(series: string, families: ReadonlySet<string>): string {
  if (families.has(series)) return series;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  return m && families.has(m[1]!) ? m[1]! : series;
}
