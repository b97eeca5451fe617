/**
 * Structured JSON logging with winston. Messages are constant strings; data goes in fields
 * (requestId, kind, namespace, name, operation, user, component, decision, durationMs).
 */
import winston from 'winston';

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

/** Creates a JSON logger writing to stderr (stdout stays free for CLI output). */
export function createLogger(level: LogLevel = 'info', component = 'webhook'): Logger {
  const base = winston.createLogger({
    level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { component },
    transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
  return wrap(base);
}

function wrap(w: winston.Logger): Logger {
  return {
    error: (msg, f) => void w.error(msg, f),
    warn: (msg, f) => void w.warn(msg, f),
    info: (msg, f) => void w.info(msg, f),
    debug: (msg, f) => void w.debug(msg, f),
    child: (f) => wrap(w.child(f)),
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
