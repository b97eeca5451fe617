/**
 * The typed result of evaluating one rule of one policy against one object.
 */
import type { PolicyLevel, PolicyMode } from './documents.js';

/** pass: checked and fine; fail: violates; warn: advice, never denies; error: the policy is broken; skip: not checked. */
export type FindingResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** One finding. Messages name keys and detectors, never secret values. */
export interface Finding {
  /** The policy's name ("namespace/name" for a namespaced ConfigPolicy). */
  policy: string;
  rule: string;
  result: FindingResult;
  mode: PolicyMode;
  message: string;
  /** A JSON pointer into the object. */
  path?: string;
  detector?: string;
  level: PolicyLevel;
}

/** Reports whether a finding is a violation (counted in metrics and shown to the user). */
export function isViolation(f: Finding): boolean {
  return f.result === 'fail' || f.result === 'warn' || f.result === 'error';
}
