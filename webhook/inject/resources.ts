/**
 * Resource requests and limits of the injected containers: the webhook's configured values, lowered or
 * raised by annotation only up to the configured limits (the ceiling set by the platform).
 */
import type { ServerOptions } from '../config/options.js';
import {
  ANNOTATION_CPU_LIMIT,
  ANNOTATION_CPU_REQUEST,
  ANNOTATION_MEMORY_LIMIT,
  ANNOTATION_MEMORY_REQUEST,
} from './annotations.js';
import { fieldError, quote, type FieldError } from './field-error.js';

/** Requests and limits as Kubernetes quantity strings. */
export interface ResourceSettings {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Annotation overrides, as written by the user (already known to be present). */
export interface ResourceOverrides {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
}

const CPU_RE = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY_RE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/;
const MEMORY_UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Parses a CPU quantity ("100m", "0.5", "1") into millicores; undefined when it is not one. */
export function parseCpu(text: string): number | undefined {
  const m = CPU_RE.exec(text.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Parses a memory quantity ("64Mi", "1G", "1048576") into bytes; undefined when it is not one. */
export function parseMemory(text: string): number | undefined {
  const m = MEMORY_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!;
}

/** The configured resources, without overrides. */
export function defaultResources(options: ServerOptions): ResourceSettings {
  return {
    requests: { cpu: options.sidecarCpuRequest, memory: options.sidecarMemoryRequest },
    limits: { cpu: options.sidecarCpuLimit, memory: options.sidecarMemoryLimit },
  };
}

/**
 * Applies annotation overrides within the configured limits; returns the settings and every problem
 * (an unparsable quantity, a value above the configured limit, a request above its limit).
 */
export function resolveResources(options: ServerOptions, o: ResourceOverrides): { value: ResourceSettings; errors: FieldError[] } {
  const out = defaultResources(options);
  const errors: FieldError[] = [];
  const dims = [
    { dim: 'cpu', parse: parseCpu, ceiling: options.sidecarCpuLimit, req: o.cpuRequest, lim: o.cpuLimit, reqKey: ANNOTATION_CPU_REQUEST, limKey: ANNOTATION_CPU_LIMIT, eg: '50m or 0.1' },
    { dim: 'memory', parse: parseMemory, ceiling: options.sidecarMemoryLimit, req: o.memoryRequest, lim: o.memoryLimit, reqKey: ANNOTATION_MEMORY_REQUEST, limKey: ANNOTATION_MEMORY_LIMIT, eg: '64Mi' },
  ] as const;
  for (const d of dims) {
    const ceiling = d.parse(d.ceiling) ?? Number.POSITIVE_INFINITY;
    const check = (key: string, raw: string | undefined): number | undefined => {
      if (raw === undefined) return undefined;
      const n = d.parse(raw);
      if (n === undefined || n <= 0) {
        errors.push(fieldError('ANNOTATION_INVALID', key, `${quote(raw)} is not a ${d.dim} quantity; use e.g. ${d.eg}`));
        return undefined;
      }
      if (n > ceiling) {
        errors.push(fieldError('ANNOTATION_INVALID', key, `${quote(raw)} is above the configured ${d.dim} limit ${d.ceiling}; use at most ${d.ceiling}`));
        return undefined;
      }
      return n;
    };
    const req = check(d.reqKey, d.req);
    const lim = check(d.limKey, d.lim);
    if (req !== undefined) out.requests[d.dim] = d.req!.trim();
    if (lim !== undefined) out.limits[d.dim] = d.lim!.trim();
    const effReq = d.parse(out.requests[d.dim]);
    const effLim = d.parse(out.limits[d.dim]);
    if ((req !== undefined || lim !== undefined) && effReq !== undefined && effLim !== undefined && effReq > effLim) {
      const key = lim !== undefined ? d.limKey : d.reqKey;
      errors.push(fieldError('ANNOTATION_INVALID', key, `the ${d.dim} request ${out.requests[d.dim]} is above the ${d.dim} limit ${out.limits[d.dim]}; the request must not exceed the limit`));
    }
  }
  return { value: out, errors };
}
