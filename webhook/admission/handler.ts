/**
 * The handler interface every admission stage implements, and composition of handlers:
 * the first denial wins, warnings accumulate, patches are concatenated in order.
 */
import type { AdmissionRequest, Decision, PatchOperation } from './types.js';

/** One admission stage: a name (for logs) and a function from request to decision. */
export interface Handler {
  readonly name: string;
  handle(req: AdmissionRequest): Promise<Decision> | Decision;
}

/** Runs handlers in order and merges their decisions. */
export function compose(name: string, handlers: Handler[]): Handler {
  return {
    name,
    async handle(req) {
      const warnings: string[] = [];
      const patch: PatchOperation[] = [];
      const auditAnnotations: Record<string, string> = {};
      for (const h of handlers) {
        const d = await h.handle(req);
        if (d.warnings) warnings.push(...d.warnings);
        if (d.auditAnnotations) Object.assign(auditAnnotations, d.auditAnnotations);
        if (!d.allowed) return { ...d, warnings, auditAnnotations };
        if (d.patch) patch.push(...d.patch);
      }
      const out: Decision = { allowed: true, auditAnnotations };
      if (patch.length) out.patch = patch;
      if (warnings.length) out.warnings = warnings;
      return out;
    },
  };
}
