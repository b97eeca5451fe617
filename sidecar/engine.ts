/**
 * The sidecar's sync cycle: fetch every file's sources, render and validate, keep the last good
 * content of whatever failed, swap the changed set in atomically, reload the app, and roll back
 * when it turns unhealthy. One cycle runs at a time.
 */
import type { Logger } from '../webhook/log.js';
import { DEFAULT_SIZE_LIMITS, type FileSpec, type SidecarSpec } from './spec/types.js';
import { SidecarError, errorCode, type SidecarErrorCode } from './errors.js';
import { Fetcher, newSnapshot, type ProviderSource, type Snapshot } from './core/fetcher.js';
import { contentHash, publicDigest } from './core/hash.js';
import { renderFile } from './render/render-file.js';
import type { Layer } from './render/merge.js';
import { writeFileSet, readFileSet, readFileSetWithTimes, type FileContent } from './write/atomic-dir.js';
import { DEFAULT_FILE_MODE } from './write/atomic-file.js';
import { runReloadChain } from './reload/chain.js';
import type { ReloadOutcome, StepRunner } from './reload/types.js';
import { BadVersionMemory, waitHealthy } from './reload/health.js';
import type { SidecarMetrics } from './metrics.js';
import type { EncryptedCache } from './fallback/encrypted-cache.js';

/** The content of one file as written, with its hash and the store versions it came from. */
export interface FileState {
  content: Buffer;
  hash: string;
  versions: string;
  fetchedAt: number;
}

/** A file whose sources could not be fetched or rendered in this cycle. */
export interface FileFailure {
  file: string;
  code: SidecarErrorCode;
  message: string;
}

/** What one cycle did. */
export interface SyncResult {
  changed: string[];
  failures: FileFailure[];
  written: boolean;
  reloaded: boolean;
  rolledBack: boolean;
  skippedBad: boolean;
}

/** Everything the engine needs; I/O strategies are injectable for tests. */
export interface EngineOptions {
  spec: SidecarSpec;
  root: string;
  logger: Logger;
  metrics: SidecarMetrics;
  providers?: ProviderSource;
  runStep?: StepRunner;
  healthCheck?: (url: string, timeoutMs: number) => Promise<boolean>;
  cache?: EncryptedCache;
  now?: () => number;
  /** How long one store read may take (default DEFAULT_READ_TIMEOUT_MS). */
  readTimeoutMs?: number;
}

/** The sync engine of one pod. */
export class Engine {
  readonly fetcher: Fetcher;
  private current = new Map<string, FileState>();
  private readonly bad = new BadVersionMemory();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  /** Creates an engine for a validated spec. */
  constructor(private readonly opts: EngineOptions) {
    this.fetcher = new Fetcher(opts.spec, opts.metrics, opts.providers, undefined, opts.readTimeoutMs);
    this.now = opts.now ?? Date.now;
  }

  /** The state of every file currently written. */
  state(): ReadonlyMap<string, FileState> {
    return this.current;
  }

  /** Seeds the last good state from the files on disk, or else from the encrypted cache; returns how many files were found. */
  async seed(): Promise<number> {
    const names = this.opts.spec.files.map((f) => f.name);
    const onDisk = await readFileSetWithTimes(this.opts.root, names);
    for (const [name, { content, mtimeMs }] of onDisk) {
      // The file's mtime is the time its content was fetched (writeFileSet sets it), so staleness survives a restart.
      const fetchedAt = Math.min(Math.round(mtimeMs), this.now());
      this.current.set(name, { content, hash: contentHash(content), versions: 'on-disk', fetchedAt });
      this.opts.metrics.fileFetched(name, fetchedAt);
    }
    if (onDisk.size === 0 && this.opts.cache) {
      const cached = await this.opts.cache.load().catch((err: unknown) => {
        this.opts.logger.warn('last-good cache unreadable', { error: (err as Error).message });
        return undefined;
      });
      for (const [name, f] of Object.entries(cached?.files ?? {})) {
        if (!names.includes(name)) continue;
        const content = Buffer.from(f.content, 'base64');
        this.current.set(name, { content, hash: contentHash(content), versions: 'cache', fetchedAt: f.fetchedAt });
        this.opts.metrics.fileFetched(name, f.fetchedAt);
      }
      if (this.current.size) this.opts.logger.warn('serving last good content from the encrypted cache', { files: [...this.current.keys()] });
    }
    for (const [name, s] of this.current) this.opts.metrics.fileWritten(name, s.hash);
    return this.current.size;
  }

  /** Writes the current state when some of it is not on disk yet (content seeded from the cache); returns whether it wrote. */
  async ensureWritten(): Promise<boolean> {
    const onDisk = await readFileSet(this.opts.root, [...this.current.keys()]);
    if ([...this.current].every(([n, s]) => onDisk.get(n)?.equals(s.content))) return false;
    await this.write(this.current);
    return true;
  }

  /** Fetches and renders one file; files rendered with the same snapshot share each source's one read. */
  async renderOne(file: FileSpec, snapshot: Snapshot = newSnapshot()): Promise<FileState> {
    const layers: Layer[] = [];
    const versions: string[] = [];
    for (const ref of file.sources) {
      const got = await this.fetcher.fetch(ref, snapshot);
      layers.push({ ref, value: got.value });
      versions.push(`${ref.store}:${ref.path}@${got.version}`);
    }
    const content = renderFile(file, layers);
    const max = (this.opts.spec.limits ?? DEFAULT_SIZE_LIMITS).fileBytes;
    if (content.length > max) {
      throw new SidecarError('TOO_LARGE', `file ${file.name} would be ${content.length} bytes, over the limit of ${max} per file; it was not written (raise the webhook's --max-file-size, or select a smaller key)`, { file: file.name });
    }
    return { content, hash: contentHash(content), versions: versions.join(','), fetchedAt: this.now() };
  }

  /** Runs one cycle (serialised with any cycle in flight); `reload` false in init mode; `requireAll` writes nothing when any file failed. */
  sync(reason: string, reload = true, requireAll = false): Promise<SyncResult> {
    const run = this.queue.then(() => this.syncNow(reason, reload, requireAll));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncNow(reason: string, reload: boolean, requireAll: boolean): Promise<SyncResult> {
    const { spec, logger, metrics } = this.opts;
    const result: SyncResult = { changed: [], failures: [], written: false, reloaded: false, rolledBack: false, skippedBad: false };
    const next = new Map(this.current);
    const skipped: string[] = [];
    // One read per source for the whole cycle: the files of one version directory come from one state of each store.
    const snapshot = newSnapshot();
    for (const file of spec.files) {
      try {
        const fresh = await this.renderOne(file, snapshot);
        metrics.fileFetched(file.name, fresh.fetchedAt);
        const old = this.current.get(file.name);
        if (this.bad.isBad(file.name, fresh.hash)) skipped.push(file.name);
        else if (old?.hash === fresh.hash) next.set(file.name, { ...old, versions: fresh.versions, fetchedAt: fresh.fetchedAt });
        else {
          next.set(file.name, fresh);
          result.changed.push(file.name);
        }
      } catch (err) {
        const failure = { file: file.name, code: errorCode(err), message: (err as Error).message };
        result.failures.push(failure);
        logger.warn(this.current.has(file.name) ? 'fetch failed, keeping last good content' : 'fetch failed, no content yet', { file: failure.file, code: failure.code, error: failure.message, staleSeconds: metrics.stalenessOf(file.name), reason });
      }
    }
    this.keepWithinTotal(next, result);
    if (skipped.length) {
      result.skippedBad = true;
      logger.warn('skipping content that failed its health check; waiting for the store value to change', { files: skipped, versions: skipped.map((n) => this.bad.current(n)) });
    }
    if (result.changed.length === 0 || (requireAll && result.failures.length)) {
      if (result.changed.length === 0) this.current = next;
      return result;
    }
    const previous = this.current;
    await this.write(next);
    for (const name of result.changed) {
      const file = spec.files.find((f) => f.name === name)!;
      logger.info('file changed', { file: name, provider: [...new Set(file.sources.map((s) => spec.stores[s.store]?.provider))].join(','), oldVersion: previous.get(name)?.versions ?? null, newVersion: next.get(name)!.versions, oldHash: previous.get(name)?.hash ?? null, newHash: next.get(name)!.hash });
    }
    this.current = next;
    result.written = true;
    if (!reload || previous.size === 0) return result;
    const outcome = await this.reload(reason, restartToken(spec, next));
    result.reloaded = outcome.ok;
    // A restart replaces the pods: this sidecar is going away, there is nothing to check or roll back.
    if (outcome.ok && outcome.strategy !== 'restart' && spec.health) {
      const check = this.opts.healthCheck ?? waitHealthy;
      const timeoutMs = spec.health.timeoutSeconds * 1000;
      if (!(await check(spec.health.url, timeoutMs))) {
        metrics.rollbacks.inc();
        const bad = result.changed.map((n) => ({ file: n, version: next.get(n)!.hash }));
        logger.error('app unhealthy after reload, rolling back', { files: result.changed, badVersions: bad.map((b) => b.version), healthUrl: spec.health.url });
        await this.write(previous);
        this.current = previous;
        await this.reload('rollback', restartToken(spec, previous));
        result.rolledBack = true;
        // Only content the app recovers from is to blame; an app that stays unhealthy is not failing on it.
        if (await check(spec.health.url, timeoutMs)) {
          for (const b of bad) this.bad.mark(b.file, b.version);
          logger.warn('app healthy again after the rollback; the new content of these files is skipped until the store changes', { files: result.changed });
        } else {
          logger.error('app still unhealthy after the rollback; not blaming the new content, it will be tried again', { files: result.changed, healthUrl: spec.health.url });
        }
      }
    }
    return result;
  }

  /** Refuses the changed files, largest first, while the whole set would exceed limits.totalBytes; a refused file keeps its last good content. */
  private keepWithinTotal(next: Map<string, FileState>, result: SyncResult): void {
    const max = (this.opts.spec.limits ?? DEFAULT_SIZE_LIMITS).totalBytes;
    let total = 0;
    for (const s of next.values()) total += s.content.length;
    const changed = [...result.changed].sort((a, b) => next.get(b)!.content.length - next.get(a)!.content.length);
    for (const name of changed) {
      if (total <= max) break;
      const fresh = next.get(name)!;
      const old = this.current.get(name);
      total -= fresh.content.length - (old?.content.length ?? 0);
      if (old) next.set(name, old);
      else next.delete(name);
      result.changed.splice(result.changed.indexOf(name), 1);
      const failure: FileFailure = { file: name, code: 'TOO_LARGE', message: `file ${name} (${fresh.content.length} bytes) would bring the file set over its limit of ${max} bytes; it was not written (raise the webhook's --volume-size-limit)` };
      result.failures.push(failure);
      this.opts.logger.warn(old ? 'file set over its size limit, keeping last good content' : 'file set over its size limit, no content yet', { file: name, code: failure.code, error: failure.message });
    }
  }

  private async write(set: ReadonlyMap<string, FileState>): Promise<void> {
    const files = new Map<string, FileContent>();
    for (const f of this.opts.spec.files) {
      const s = set.get(f.name);
      if (s) files.set(f.name, { content: s.content, mode: f.mode ?? DEFAULT_FILE_MODE, fetchedAt: s.fetchedAt });
    }
    await writeFileSet(this.opts.root, files);
    for (const [name, s] of set) this.opts.metrics.fileWritten(name, s.hash);
    if (this.opts.cache) {
      const cached = Object.fromEntries([...set].map(([n, s]) => [n, { content: s.content.toString('base64'), mode: files.get(n)?.mode ?? DEFAULT_FILE_MODE, hash: s.hash, fetchedAt: s.fetchedAt }]));
      await this.opts.cache.save({ savedAt: this.now(), files: cached }).catch((err: unknown) => this.opts.logger.warn('could not save the last-good cache', { error: (err as Error).message }));
    }
  }

  private async reload(reason: string, contentId: string): Promise<ReloadOutcome> {
    const outcome = await runReloadChain(this.opts.spec, this.opts.runStep, this.opts.metrics, { contentId });
    if (outcome.ok) this.opts.logger.info('app reloaded', { strategy: outcome.strategy, reason, failedSteps: outcome.errors });
    else this.opts.logger.error('reload failed', { code: 'RELOAD_FAILED', errors: outcome.errors, reason });
    return outcome;
  }

  /** Stops providers. */
  async close(): Promise<void> {
    await this.fetcher.close();
  }
}

/**
 * The id of a content set that is the same in every replica: a plain digest of the store version
 * ids of each file (never of content). The restart strategy writes it as restartedAt, so N replicas
 * seeing the same change patch the same value and the workload restarts once.
 */
export function restartToken(spec: SidecarSpec, set: ReadonlyMap<string, FileState>): string {
  return publicDigest(...spec.files.map((f) => `${f.name}=${set.get(f.name)?.versions ?? '-'}`));
}

/** Throws the init failure message: which files could not be had, naming store and path. */
export function initFailure(spec: SidecarSpec, failures: readonly FileFailure[], haveContent: ReadonlySet<string>): SidecarError | undefined {
  const missing = failures.filter((f) => !haveContent.has(f.file));
  if (spec.onFailure === 'fail' && failures.length) {
    return new SidecarError(failures[0]!.code, `init failed (on-failure=fail): ${failures.map((f) => `${f.file}: ${f.message}`).join('; ')}`);
  }
  if (missing.length) {
    return new SidecarError(missing[0]!.code, `init failed: on-failure=keep-last-good but there is no last good content yet for ${missing.map((f) => f.file).join(', ')}: ${missing.map((f) => f.message).join('; ')}`);
  }
  return undefined;
}
