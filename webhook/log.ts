/**
 * Structured JSON logging with winston. Messages are constant strings; data goes in fields
 * (requestId, kind, namespace, name, operation, user, component, decision, durationMs). Every field is
 * bounded (boundLogFields) and URL credentials are removed from its text, whatever a request carried.
 */
import winston from 'winston';
import { clip, stripUserinfo } from './util/quote.js';

/** The fields every admission log line may carry. */
export interface LogFields {
  requestId?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  operation?: string;
  user?: string;
  component?: string;
  decision?: string;
  durationMs?: number;
  [key: string]: unknown;
}

/** The logging surface the rest of the code uses. */
export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** The log levels accepted by --log-level. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Creates a JSON logger writing to stderr (stdout stays free for CLI output), or to the given stream. */
export function createLogger(level: LogLevel = 'info', component = 'webhook', stream?: NodeJS.WritableStream): Logger {
  const base = winston.createLogger({
    level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { component },
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
  return wrap(base);
}

/** The most characters one log field takes (its JSON, about): a text is clipped, a list or object shortened. */
export const MAX_LOG_FIELD_LENGTH = 2048;
/** How deep a field's lists and objects are kept; deeper ones are summarised. */
const MAX_LOG_FIELD_DEPTH = 4;

/** Bounds one value to about `budget` characters of JSON; returns it and the characters it takes. */
function boundValue(v: unknown, budget: number, depth: number): [unknown, number] {
  if (typeof v === 'string') {
    const s = clip(stripUserinfo(v), Math.max(budget - 2, 24));
    return [s, s.length + 2];
  }
  if (v instanceof Error) return boundValue(v.message, budget, depth);
  if (v === null || typeof v !== 'object') return [v, String(v).length];
  if (Array.isArray(v)) {
    if (depth >= MAX_LOG_FIELD_DEPTH) return [`[a list of ${v.length}]`, 20];
    const out: unknown[] = [];
    let used = 2;
    for (const x of v) {
      if (used >= budget) {
        out.push(`${v.length - out.length} more items not logged`);
        return [out, used + 32];
      }
      const [b, size] = boundValue(x, budget - used, depth + 1);
      out.push(b);
      used += size + 1;
    }
    return [out, used];
  }
  if (depth >= MAX_LOG_FIELD_DEPTH) return ['[an object]', 13];
  const out: Record<string, unknown> = {};
  let used = 2;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (used >= budget) {
      out['…'] = 'more fields not logged';
      return [out, used + 32];
    }
    const key = clip(k, 128);
    const [b, size] = boundValue((v as Record<string, unknown>)[k], budget - used - key.length - 4, depth + 1);
    Object.defineProperty(out, key, { value: b, enumerable: true, writable: true, configurable: true }); // a key "__proto__" stays a key
    used += size + key.length + 4;
  }
  return [out, used];
}

/**
 * Bounds the fields of a log line: each to about MAX_LOG_FIELD_LENGTH characters, texts clipped with
 * their original length and stripped of URL credentials, lists and objects shortened with a count of
 * what was left out. Values from requests (names, keys, error texts) cannot make a line large.
 */
export function boundLogFields(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = boundValue(v, MAX_LOG_FIELD_LENGTH, 0)[0];
  return out;
}

function wrap(w: winston.Logger): Logger {
  const msgOf = (msg: string) => clip(msg, MAX_LOG_FIELD_LENGTH);
  return {
    error: (msg, f) => void w.error(msgOf(msg), boundLogFields(f)),
    warn: (msg, f) => void w.warn(msgOf(msg), boundLogFields(f)),
    info: (msg, f) => void w.info(msgOf(msg), boundLogFields(f)),
    debug: (msg, f) => void w.debug(msgOf(msg), boundLogFields(f)),
    child: (f) => wrap(w.child(boundLogFields(f) ?? {})),
  };
}

/** A logger that drops everything, for tests and the offline CLI. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
