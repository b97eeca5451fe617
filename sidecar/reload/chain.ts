/**
 * Runs the reload chain: each step in order until one succeeds (in-place first, restart as the fallback).
 */
import type { ReloadStep, SidecarSpec } from '../spec/types.js';
import type { SidecarMetrics } from '../metrics.js';
import type { ReloadContext, ReloadOutcome, StepRunner } from './types.js';
import { signalProcess } from './signal.js';
import { httpReload } from './http.js';
import { restartOwner } from './restart.js';

/** The default runner of each strategy. */
export const defaultStepRunner: StepRunner = async (step: ReloadStep, spec: SidecarSpec, context?: ReloadContext) => {
  switch (step.type) {
    case 'signal':
      await signalProcess(step.signal, step.process);
      return;
    case 'http':
      await httpReload(step.url);
      return;
    case 'restart':
      await restartOwner(spec.pod.namespace, spec.pod.owner, context?.contentId ?? new Date().toISOString());
      return;
    case 'none':
      return;
  }
};

/** Runs the steps in order and stops at the first success; records each attempt in metrics. */
export async function runReloadChain(spec: SidecarSpec, run: StepRunner = defaultStepRunner, metrics?: SidecarMetrics, context?: ReloadContext): Promise<ReloadOutcome> {
  const errors: string[] = [];
  let strategy = 'none';
  for (const step of spec.reload) {
    strategy = step.type;
    try {
      await run(step, spec, context);
      metrics?.reloads.inc({ strategy, result: 'success' });
      return { ok: true, strategy, errors };
    } catch (err) {
      metrics?.reloads.inc({ strategy, result: 'failure' });
      errors.push(`${step.type}: ${(err as Error).message}`);
    }
  }
  return { ok: false, strategy, errors };
}
