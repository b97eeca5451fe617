/**
 * `bulwark serve`: validates settings, starts the webhook, prints where the CA bundle is.
 */
import { exitOnSignals, serve } from '../app/serve.js';
import { resolveOptions } from '../config/options.js';
import { errorMessage, isBulwarkError } from '../errors.js';
import { createLogger } from '../log.js';

/** Runs the server; returns an exit code only when it could not start. */
export async function serveCommand(flags: Record<string, unknown>): Promise<number> {
  let options;
  try {
    options = resolveOptions(flags);
  } catch (err) {
    process.stderr.write(`bulwark serve: ${errorMessage(err)}\n`);
    return 2;
  }
  const logger = createLogger(options.logLevel, 'webhook');
  logger.info('starting', { settings: { ...options } });
  try {
    const running = await serve(options, logger);
    if (running.caFile) process.stdout.write(`CA bundle: ${running.caFile}\n`);
    process.stdout.write(`Bulwark webhook listening on https://${options.address}:${running.port}\n`);
    exitOnSignals(running, logger, options.shutdownTimeoutMs);
    return 0;
  } catch (err) {
    logger.error('startup failed', { error: errorMessage(err), code: isBulwarkError(err) ? err.code : undefined });
    process.stderr.write(`bulwark serve: ${errorMessage(err)}\n`);
    return 1;
  }
}
