/**
 * The schema rule: a ConfigMap's content validates against the ConfigSchema named by the
 * bulwark.dev/schema annotation (whole object, or per key with "key=schema,..."), or required by policy.
 */
import { quote } from '../../../util/quote.js';
import { ANNOTATION_FORMAT, ANNOTATION_SCHEMA } from '../../../labels.js';
import { compileContentSchema, formatAjvErrors } from '../../schemas/index.js';
import { describe, pointerSegment, stringMap } from '../objects.js';
import type { RuleContext, RuleDefinition, Violation } from '../types.js';
import { formatOfKey, parseContentCached, parseFormatAnnotation, type ContentFormat } from './content.js';
import { SCHEMA_DEFAULTS, SCHEMA_PARAMS_SCHEMA, type SchemaParams } from './params.js';

/** Parses bulwark.dev/schema: "name" (the whole object) or "key=name,key2=name2". */
export function parseSchemaAnnotation(value: string | undefined): { whole?: string; keys: Map<string, string> } {
  const keys = new Map<string, string>();
  const v = value?.trim();
  if (!v) return { keys };
  if (!v.includes('=')) return { whole: v, keys };
  for (const part of v.split(',')) {
    const i = part.indexOf('=');
    const k = part.slice(0, i).trim();
    const s = part.slice(i + 1).trim();
    if (k && s) keys.set(k, s);
  }
  return { keys };
}

/** Checks a ConfigMap's content against its ConfigSchemas. */
export const schemaRule: RuleDefinition<SchemaParams> = {
  id: 'schema',
  description: 'ConfigMap content (JSON, YAML, .properties, .env, INI) validates against its ConfigSchema.',
  kinds: ['ConfigMap'],
  paramsSchema: SCHEMA_PARAMS_SCHEMA,
  defaults: SCHEMA_DEFAULTS,
  evaluate(obj, params, ctx) {
    const annotations = stringMap(obj.metadata?.annotations);
    const named = parseSchemaAnnotation(annotations[ANNOTATION_SCHEMA]);
    const formats = parseFormatAnnotation(annotations[ANNOTATION_FORMAT]);
    const data = stringMap((obj as Record<string, unknown>).data);
    const who = describe(obj, 'ConfigMap');
    const out: Violation[] = [];

    const whole = named.whole ?? (named.keys.size === 0 ? params.defaultSchema : undefined);
    const perKey = new Map<string, string>(Object.entries(params.keys));
    for (const [k, s] of named.keys) perKey.set(k, s);

    if (!whole && perKey.size === 0) {
      if (params.required) {
        out.push({
          message: `${who} names no ConfigSchema; add the annotation ${ANNOTATION_SCHEMA}: <schema> (or key=<schema>,...) naming one of: ${[...ctx.schemas.keys()].join(', ') || '(none defined)'}`,
          path: `/metadata/annotations/${pointerSegment(ANNOTATION_SCHEMA)}`,
        });
      }
      return out;
    }

    if (whole) {
      const schema = lookup(whole, who, ctx, out);
      if (schema) {
        const value = Object.create(null) as Record<string, unknown>; // data keys are user-chosen (__proto__)
        let ok = true;
        for (const [key, text] of Object.entries(data)) {
          const parsed = parseKey(key, text, formatOfKey(key, formats, schema.spec.format), params, who, out);
          if (parsed === FAILED) ok = false;
          else value[key] = parsed;
        }
        if (ok) check(schema.metadata.name, value, '/data', params, who, out, ctx);
      }
    }
    for (const [key, schemaName] of perKey) {
      const path = `/data/${pointerSegment(key)}`;
      if (!(key in data)) {
        const binary = stringMap((obj as Record<string, unknown>).binaryData);
        if (key in binary) continue; // binary content is not parsed
        out.push({ message: `${who} has no data key ${quote(key)}, which ${ANNOTATION_SCHEMA} or the policy says must validate against ConfigSchema ${quote(schemaName)}; add the key or fix the annotation`, path });
        continue;
      }
      const schema = lookup(schemaName, who, ctx, out);
      if (!schema) continue;
      const parsed = parseKey(key, data[key]!, formatOfKey(key, formats, schema.spec.format), params, who, out);
      if (parsed !== FAILED) check(schemaName, parsed, path, params, `${who} key "${key}"`, out, ctx);
    }
    return out;
  },
};

const FAILED = Symbol('failed');

function lookup(name: string, who: string, ctx: RuleContext, out: Violation[]) {
  const schema = ctx.schemas.get(name);
  if (!schema) {
    out.push({
      message: `${who} refers to ConfigSchema ${quote(name)}, which does not exist; create it or fix the ${ANNOTATION_SCHEMA} annotation`,
      path: `/metadata/annotations/${pointerSegment(ANNOTATION_SCHEMA)}`,
    });
  }
  return schema;
}

function parseKey(key: string, text: string, format: ContentFormat | undefined, params: SchemaParams, who: string, out: Violation[]): unknown {
  const path = `/data/${pointerSegment(key)}`;
  const bytes = Buffer.byteLength(text);
  if (bytes > params.maxValueBytes) {
    out.push({ message: `${who} key "${key}" is ${bytes} bytes, more than the ${params.maxValueBytes} bytes Bulwark validates; split the content or raise maxValueBytes`, path });
    return FAILED;
  }
  if (!format) return text;
  const parsed = parseContentCached(text, format);
  if (!parsed.ok) {
    out.push({ message: `${who} key "${key}" is not valid ${format}: ${parsed.error}; fix the content or set ${ANNOTATION_FORMAT}`, path });
    return FAILED;
  }
  return parsed.value;
}

function check(name: string, value: unknown, base: string, params: SchemaParams, who: string, out: Violation[], ctx: RuleContext): void {
  const compiled = compileContentSchema(ctx.schemas.get(name)!);
  // Reported as a broken policy (result error), never as a fault of the object.
  if (!compiled.ok) throw new Error(`ConfigSchema ${name} cannot be used: ${compiled.error}; fix the ConfigSchema`);
  if (compiled.validate(value)) return;
  const lines = formatAjvErrors(compiled.validate.errors);
  const shown = lines.slice(0, params.maxErrors).map((l) => (l.startsWith('/ ') ? `${base} ${l.slice(2)}` : `${base}${l}`));
  const more = lines.length > shown.length ? ` (and ${lines.length - shown.length} more)` : '';
  out.push({
    message: `${who} does not match ConfigSchema ${name}: ${shown.join('; ')}${more}; fix the content or the schema`,
    path: base,
  });
}
