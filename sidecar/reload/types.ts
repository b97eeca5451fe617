/**
 * The reload surface: one function per strategy that tells the app its files changed, throwing on failure.
 */
import type { ReloadStep, SidecarSpec } from '../spec/types.js';

/** What a reload is about: `contentId` is the same in every replica for the same content set (no content in it). */
export interface ReloadContext {
  contentId: string;
}

/** Performs one reload step; resolves on success, throws (with a reason) on failure. */
export type StepRunner = (step: ReloadStep, spec: SidecarSpec, context?: ReloadContext) => Promise<void>;

/** The outcome of a reload chain. */
export interface ReloadOutcome {
  ok: boolean;
  /** The strategy that succeeded, or the last one tried. */
  strategy: string;
  /** One line per failed step (no secret values). */
  errors: string[];
}
