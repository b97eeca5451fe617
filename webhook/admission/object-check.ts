/**
 * The gate between a decoded request and the handlers: request.object and request.oldObject are
 * checked against the shape of the request's kind, so no stage reads a list that is an object or a
 * name that is a number. A malformed object is denied with code 400 and a message naming each field
 * and the type it must have. Pure.
 */
import { clip } from '../util/quote.js';
import { errored } from './response.js';
import { checkShape, MAX_SHAPE_PROBLEMS, objectShape, type ShapeProblem } from './shape.js';
import type { AdmissionRequest, Decision } from './types.js';

/** The malformed fields of a request's objects, the old object's prefixed with `oldObject:`. */
export function objectProblems(req: AdmissionRequest): ShapeProblem[] {
  const shape = objectShape(req.kind.group, req.kind.kind);
  const problems = req.object ? checkShape(req.object, shape, '') : [];
  if (req.oldObject && problems.length < MAX_SHAPE_PROBLEMS) {
    for (const p of checkShape(req.oldObject, shape, '', MAX_SHAPE_PROBLEMS - problems.length)) {
      problems.push({ path: `oldObject.${p.path}`, message: `oldObject: ${p.message}` });
    }
  }
  return problems;
}

/** Formats the problems of a request's objects into one denial message. */
export function formatObjectProblems(kind: string, problems: ShapeProblem[]): string {
  const n = problems.length;
  const count = n === 1 ? '' : n >= MAX_SHAPE_PROBLEMS ? ` (the first ${n} problems)` : ` (${n} problems)`;
  return `the ${clip(kind || 'object', 64)} is malformed${count}: ${problems.map((p) => p.message).join('; ')}`;
}

/** Denies (400 BadRequest) a request whose object or old object is malformed; undefined when both are well formed. */
export function malformedObject(req: AdmissionRequest): { decision: Decision; problems: ShapeProblem[] } | undefined {
  const problems = objectProblems(req);
  if (!problems.length) return undefined;
  return { decision: errored(400, formatObjectProblems(req.kind.kind, problems)), problems };
}
