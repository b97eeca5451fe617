/**
 * The contract of a rule: a pure function from (object, parameters, context) to violations as data.
 * Rules never call the API, read files or log; everything they need is in the context.
 */
import type { KubeObject, Operation } from '../../admission/types.js';
import type { ClusterState } from '../../cluster/types.js';
import type { ConfigSchema } from '../documents.js';
import type { RuleId } from './ids.js';

/** What a rule knows besides the object: the request, the namespace's place and the cached cluster state. */
export interface RuleContext {
  operation: Operation;
  /** The object's kind, e.g. ConfigMap. */
  kind: string;
  /** The object's namespace ('' for cluster-scoped objects). */
  namespace: string;
  environment?: string;
  tenant?: string;
  /** The object before the change, on UPDATE. */
  oldObject?: KubeObject;
  /** ConfigSchemas in force, by name. */
  schemas: ReadonlyMap<string, ConfigSchema>;
  /** Informer-backed (or file-backed) cluster state: summaries, never values. */
  state: ClusterState;
}

/** One thing wrong with an object. Messages name keys and detectors, never secret values. */
export interface Violation {
  /** What is wrong and how to fix it. */
  message: string;
  /** A JSON pointer into the object, e.g. /data/app.json/server/port. */
  path?: string;
  /** The detector that fired (secret-leaks). */
  detector?: string;
  /** fail (the default) or warn: a warning never denies, even in enforce mode. */
  severity?: 'fail' | 'warn';
}

/** A rule's answer: violations (empty means pass), or a reason it could not look. */
export type RuleOutcome = Violation[] | { skip: string };

/** A built-in rule: its id, the kinds it inspects, its parameter schema and defaults, and the pure check. */
export interface RuleDefinition<P = Record<string, unknown>> {
  id: RuleId;
  /** One sentence for docs and reports. */
  description: string;
  /** Object kinds the rule inspects; other kinds are not evaluated. */
  kinds: readonly string[];
  /** The JSON Schema of params (ajv strict mode). */
  paramsSchema: Record<string, unknown>;
  /** Default parameters; the policy's params are merged over them. */
  defaults: P;
  evaluate(object: KubeObject, params: P, ctx: RuleContext): RuleOutcome;
}
