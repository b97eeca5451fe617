import assert from 'node:assert/strict';
import type { Finding } from '../../../webhook/policy/findings.js';
import { toJUnit, toSarif, type ObjectResult } from '../../../webhook/policy/report/index.js';

const f = (over: Partial<Finding>): Finding => ({ policy: 'p', rule: 'secret-leaks', result: 'fail', mode: 'enforce', message: 'm', level: 'cluster', ...over });
const results: ObjectResult[] = [
  {
    source: 'k8s/app.yaml',
    kind: 'ConfigMap',
    namespace: 'team-a',
    name: 'app',
    allowed: false,
    findings: [
      f({ message: 'leak <here> & "there"', path: '/data/token', detector: 'jwt' }),
      f({ rule: 'schema', mode: 'audit', message: 'bad content' }),
      f({ rule: 'immutability', result: 'pass', message: 'ok' }),
      f({ rule: 'environment', result: 'error', message: 'broken' }),
    ],
  },
  { source: 'k8s/pod.yaml', kind: 'Pod', namespace: 'team-a', name: 'web', allowed: true, findings: [f({ rule: 'references', result: 'skip', message: 'no cluster' })] },
];

describe('report formatters', () => {
  it('SARIF lists violations only, with levels, rule ids and locations', () => {
    const sarif = toSarif(results) as any;
    assert.equal(sarif.version, '2.1.0');
    const r = sarif.runs[0].results;
    assert.deepEqual(r.map((x: any) => [x.ruleId, x.level]), [['secret-leaks', 'error'], ['schema', 'warning'], ['environment', 'warning']]);
    assert.equal(r[0].locations[0].physicalLocation.artifactLocation.uri, 'k8s/app.yaml');
    assert.equal(r[0].locations[0].logicalLocations[0].fullyQualifiedName, 'ConfigMap/team-a/app/data/token');
    assert.equal(r[0].properties.detector, 'jwt');
    assert.deepEqual(sarif.runs[0].tool.driver.rules.map((x: any) => x.id).sort(), ['environment', 'immutability', 'references', 'schema', 'secret-hygiene', 'secret-leaks']);
  });

  it('JUnit has one suite per file, failures for enforce, errors for broken policies, skipped for skips, escaped text', () => {
    const xml = toJUnit(results);
    assert.match(xml, /<testsuites name="bulwark review" tests="5" failures="1" errors="1" skipped="1">/);
    assert.match(xml, /<testsuite name="k8s\/app.yaml" tests="4" failures="1" errors="1" skipped="0">/);
    assert.match(xml, /<testcase classname="ConfigMap\/team-a\/app" name="p\/secret-leaks">\n\s+<failure message="leak &lt;here&gt; &amp; &quot;there&quot; \(at \/data\/token\)" type="enforce">/);
    assert.match(xml, /<system-out>\[audit\] bad content<\/system-out>/);
    assert.match(xml, /<testcase classname="ConfigMap\/team-a\/app" name="p\/immutability"\/>/);
    assert.match(xml, /<skipped message="no cluster"\/>/);
  });
});
