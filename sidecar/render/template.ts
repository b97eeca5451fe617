/**
 * Logic-less templates: mustache over the fetched data only. No partials (nothing is read from
 * disk), no HTML escaping, no environment, no lambdas (the view holds plain data only), and names
 * resolve to the data's own properties only (`{{toString}}` is not Object.prototype.toString).
 * A variable whose name resolves to nothing fails the render instead of writing an empty string;
 * a section (`{{#name}}`, `{{^name}}`) over a missing name is simply false.
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

function hasOwn(v: unknown, name: string): boolean {
  return v !== null && v !== undefined && (typeof v === 'object' || typeof v === 'string') && Object.prototype.hasOwnProperty.call(v, name);
}

/** A mustache context that resolves names against own properties only and reports misses. */
class OwnContext extends Mustache.Context {
  /** Resolves a (dotted) name from the innermost context outwards; hit is false when nothing has that name. */
  resolve(name: string): { hit: boolean; value: unknown } {
    if (name === '.') return { hit: true, value: this.view };
    const names = name.split('.');
    for (let ctx: Mustache.Context | undefined = this as Mustache.Context; ctx; ctx = ctx.parent) {
      if (!hasOwn(ctx.view, names[0]!)) continue;
      let value: unknown = (ctx.view as Record<string, unknown>)[names[0]!];
      for (const n of names.slice(1)) {
        if (!hasOwn(value, n)) return { hit: false, value: undefined };
        value = (value as Record<string, unknown>)[n];
      }
      return { hit: true, value: typeof value === 'function' ? undefined : value };
    }
    return { hit: false, value: undefined };
  }

  override lookup(name: string): unknown {
    return this.resolve(name).value;
  }

  override push(view: unknown): Mustache.Context {
    return new OwnContext(view, this);
  }
}

/** A writer that refuses variables whose name resolves to nothing. */
class StrictWriter extends Mustache.Writer {
  constructor(private readonly fileName: string) {
    super();
  }

  private check(token: string[], context: Mustache.Context): void {
    if (!(context as OwnContext).resolve(token[1]!).hit) {
      throw new SidecarError('RENDER_FAILED', `template of ${this.fileName} uses {{${token[1]}}} but none of its sources has a value of that name; fix the name or add the source`, { file: this.fileName });
    }
  }

  override escapedValue(token: string[], context: Mustache.Context, config?: Mustache.RenderOptions): string {
    this.check(token, context);
    return super.escapedValue(token, context, config);
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    this.check(token, context);
    return super.unescapedValue(token, context);
  }
}

/** Renders a template over the view; throws RENDER_FAILED on a syntax error, a partial reference or an unresolved variable. */
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
  return new StrictWriter(fileName).render(template, new OwnContext(plainData(view)), undefined, { escape: (s: string) => s });
}
