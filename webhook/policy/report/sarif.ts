/**
 * Formats review results as SARIF 2.1.0, so code-scanning tools show policy findings next to the manifests.
 */
import { isViolation, type Finding } from '../findings.js';
import { RULES } from '../rules/registry.js';
import { objectId, type ObjectResult } from './types.js';

/** The SARIF version written. */
export const SARIF_VERSION = '2.1.0';
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Maps a finding to a SARIF level: enforce failures are errors, audit failures and broken policies warnings, warns notes. */
export function sarifLevel(f: Finding): 'error' | 'warning' | 'note' {
  if (f.result === 'fail') return f.mode === 'enforce' ? 'error' : 'warning';
  if (f.result === 'error') return 'warning';
  return 'note';
}

/** Builds a SARIF log (as a plain object) from review results; only violations become SARIF results. */
export function toSarif(results: ObjectResult[]): Record<string, unknown> {
  const rules = Object.values(RULES).map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.description },
    helpUri: `https://bulwark.dev/docs/policies#${r.id}`,
  }));
  const out: Array<Record<string, unknown>> = [];
  for (const r of results) {
    for (const f of r.findings.filter(isViolation)) {
      const properties: Record<string, unknown> = { policy: f.policy, mode: f.mode, level: f.level, result: f.result };
      if (f.path) properties.path = f.path;
      if (f.detector) properties.detector = f.detector;
      out.push({
        ruleId: f.rule,
        level: sarifLevel(f),
        message: { text: `${objectId(r)}: policy ${f.policy}: ${f.message}` },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: r.source } },
            logicalLocations: [{ fullyQualifiedName: `${objectId(r)}${f.path ?? ''}`, kind: 'object' }],
          },
        ],
        properties,
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [{ tool: { driver: { name: 'bulwark', informationUri: 'https://bulwark.dev', rules } }, results: out }],
  };
}
