/**
 * Keeps the server's TLS material current: watches the certificate directory with chokidar (and polls
 * as a backstop), reloads tls.crt/tls.key when they change, and hands new material to the server
 * for new connections only. A bad renewal keeps the current certificate and is logged.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { loadTlsDir, type LoadedTls } from './files.js';

/** Watches a certificate directory and emits 'reload' with new material. */
export class CertReloader extends EventEmitter {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private current: LoadedTls | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly opts: { debounceMs?: number; pollMs?: number } = {},
  ) {
    super();
  }

  /** Loads the material once; throws when it is missing or invalid. */
  async load(): Promise<LoadedTls> {
    this.current = await loadTlsDir(this.dir);
    return this.current;
  }

  /** The material in use. */
  material(): LoadedTls | undefined {
    return this.current;
  }

  /** Starts watching; call after load(). */
  start(): void {
    this.watcher = watch(this.dir, { ignoreInitial: true, depth: 1, followSymlinks: true });
    this.watcher.on('all', () => this.schedule());
    this.watcher.on('error', (err) => this.logger.warn('certificate watch error', { error: errorMessage(err) }));
    this.poll = setInterval(() => this.schedule(), this.opts.pollMs ?? 60_000);
    this.poll.unref();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 200);
    this.timer.unref();
  }

  /** Reloads now; keeps the current material when the new one is invalid. */
  async reload(): Promise<boolean> {
    try {
      const next = await loadTlsDir(this.dir);
      if (this.current && next.cert.equals(this.current.cert) && next.key.equals(this.current.key)) return false;
      this.current = next;
      this.logger.info('certificate reloaded', { notAfter: next.notAfter.toISOString(), subject: next.subject });
      this.emit('reload', next);
      return true;
    } catch (err) {
      this.logger.warn('certificate reload failed; keeping the current certificate', { error: errorMessage(err) });
      return false;
    }
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    await this.watcher?.close();
  }
}
