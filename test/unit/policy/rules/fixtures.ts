/**
 * Loads a rule's allowed/ and disallowed/ fixtures from the source tree and runs them through the rule.
 * A fixture is a YAML document: {description, params, operation, environment, authoritative, state,
 * schemas, oldObject, object, expect (message substrings), severity (fail|warn), detectors}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MemoryClusterState } from '../../../../webhook/cluster/memory-state.js';
import type { ConfigSchema } from '../../../../webhook/policy/documents.js';
import { RULES, effectiveParams, validateRuleParams } from '../../../../webhook/policy/rules/registry.js';
import type { RuleContext, RuleOutcome } from '../../../../webhook/policy/rules/types.js';

/** One fixture file. */
export interface Fixture {
  file: string;
  description?: string;
  params?: Record<string, unknown>;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  environment?: string;
  authoritative?: boolean;
  state?: Array<Record<string, any>>;
  schemas?: ConfigSchema[];
  oldObject?: Record<string, any>;
  object: Record<string, any>;
  expect?: string[];
  severity?: 'fail' | 'warn';
  detectors?: string[];
}

/** The source directory of a rule's fixtures (tests run from the repository root). */
export function fixtureDir(rule: string): string {
  return resolve(process.cwd(), 'webhook/policy/rules', rule, 'fixtures');
}

/** Reads the allowed or disallowed fixtures of a rule. */
export function loadFixtures(rule: string, kind: 'allowed' | 'disallowed'): Fixture[] {
  const dir = join(fixtureDir(rule), kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ file: `${kind}/${f}`, ...(parse(readFileSync(join(dir, f), 'utf8')) as Omit<Fixture, 'file'>) }));
}

/** Runs a fixture through its rule with the rule's default params merged under the fixture's. */
export function runFixture(rule: string, fx: Fixture): RuleOutcome {
  const def = RULES[rule as keyof typeof RULES];
  const errs = validateRuleParams(rule, fx.params ?? {});
  if (errs.length) throw new Error(`${fx.file}: invalid params: ${errs.join('; ')}`);
  const state = new MemoryClusterState({ authoritative: fx.authoritative ?? false });
  for (const o of fx.state ?? []) state.upsert(o);
  const ctx: RuleContext = {
    operation: fx.operation ?? 'CREATE',
    kind: String(fx.object.kind),
    namespace: String(fx.object.metadata?.namespace ?? ''),
    environment: fx.environment,
    schemas: new Map((fx.schemas ?? []).map((s) => [s.metadata.name, s])),
    state,
  };
  if (fx.oldObject) ctx.oldObject = fx.oldObject;
  return def.evaluate(fx.object, effectiveParams(def, fx.params), ctx);
}
