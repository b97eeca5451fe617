/**
 * A tiny JSON logger (one line per event on stderr) that keeps the sidecar's memory low; it
 * implements the project's Logger interface. Messages are constant; data goes in fields, never secret values.
 */
import type { Logger, LogFields, LogLevel } from '../webhook/log.js';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Creates a JSON logger writing to the given sink (stderr by default). */
export function createSidecarLogger(level: LogLevel = 'info', base: LogFields = { component: 'sidecar' }, sink: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] > RANK[level]) return;
    const line = { timestamp: new Date().toISOString(), level: lvl, message: msg, ...base, ...fields };
    sink(`${JSON.stringify(line, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`);
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    child: (f) => createSidecarLogger(level, { ...base, ...f }, sink),
  };
}
