/**
 * Logic-less templates: mustache over the fetched data only. No partials (nothing is read from
 * disk), no HTML escaping, no environment, and no lambdas (the view holds plain data only).
 */
import Mustache from 'mustache';
import { SidecarError } from '../errors.js';

function plainData(v: unknown): unknown {
  if (typeof v === 'function') return undefined;
  if (Array.isArray(v)) return v.map(plainData);
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainData(x)]));
  }
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

/** Renders a template over the view; throws RENDER_FAILED on a syntax error or a partial reference. */
export function renderTemplate(template: string, view: Record<string, unknown>, fileName: string): string {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(template) as unknown[];
  } catch (err) {
    throw new SidecarError('RENDER_FAILED', `template of ${fileName} is not valid mustache: ${(err as Error).message}`, { file: fileName });
  }
  const hasPartial = (ts: unknown[]): boolean =>
    ts.some((t) => Array.isArray(t) && (t[0] === '>' || (Array.isArray(t[4]) && hasPartial(t[4] as unknown[]))));
  if (hasPartial(tokens)) throw new SidecarError('RENDER_FAILED', `template of ${fileName} uses a partial ({{> name}}); partials are not supported`, { file: fileName });
  return Mustache.render(template, plainData(view), () => undefined, { escape: (s: string) => s });
}
