/**
 * The documents in force, kept current: the policy directory hot-reloaded with chokidar (debounced)
 * and, when connected to a cluster, Bulwark's custom resources watched with informers. A bad reload
 * keeps the last good set, logs why and increments bulwark_policy_reload_failures_total.
 */
import { EventEmitter } from 'node:events';
import type { Informer, KubeConfig, KubernetesObject, ListPromise } from '@kubernetes/client-node';
import { watch, type FSWatcher } from 'chokidar';
import { BulwarkError } from '../errors.js';
import type { Logger } from '../log.js';
import type { WebhookMetrics } from '../metrics.js';
import { BULWARK_GROUP, DOCUMENT_KINDS, emptyDocumentSet, type BulwarkDocument, type DocumentSet } from './documents.js';
import { formatDocumentError, type DocumentError } from './document-error.js';
import { buildDocumentSet, countByKind, documentKey } from './document-set.js';
import { DOCUMENT_FILE, loadDirectory } from './load-directory.js';
import { CRD_VERSION, KINDS, prepareContentSchema } from './schemas/index.js';
import { validateDocument } from './validate-document.js';

/** Options of a DocumentSource. */
export interface DocumentSourceOptions {
  /** The policy directory (default set: policies/). */
  dir: string;
  logger: Logger;
  metrics?: WebhookMetrics;
  /** When given, custom resources of every Bulwark kind are watched too. */
  kubeConfig?: KubeConfig;
  /** Quiet time after a file change before reloading (default 250 ms). */
  debounceMs?: number;
}

/** Keeps the DocumentSet current from a directory and, optionally, the cluster; emits 'change' with each new set. */
export class DocumentSource extends EventEmitter {
  private set: DocumentSet = emptyDocumentSet();
  private isLoaded = false;
  private fileDocs: BulwarkDocument[] = [];
  private readonly crDocs = new Map<string, BulwarkDocument>();
  private watcher: FSWatcher | undefined;
  private readonly informers: Array<Informer<KubernetesObject>> = [];
  private fileTimer: NodeJS.Timeout | undefined;
  private buildTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private resourceEvents: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly opts: DocumentSourceOptions) {
    super();
    this.log = opts.logger.child({ component: 'policy-loader' });
  }

  /** Loads the directory (throws DOCUMENT_INVALID if any document is bad), then starts watching. */
  async start(): Promise<void> {
    const first = await loadDirectory(this.opts.dir);
    if (first.errors.length) {
      this.reportErrors(first.errors);
      throw new BulwarkError('DOCUMENT_INVALID', `the policy directory ${this.opts.dir} has ${first.errors.length} invalid document(s): ${first.errors.map(formatDocumentError).join('; ')}`, { dir: this.opts.dir });
    }
    this.fileDocs = first.docs;
    this.rebuild();
    this.watcher = watch(this.opts.dir, { ignoreInitial: true, ignored: (p: string) => /(^|[/\\])\.[^/\\]+$/.test(p) && !p.includes('..data') });
    this.watcher.on('all', (_event: string, path: string) => {
      if (DOCUMENT_FILE.test(path) || !/\.[a-z]+$/i.test(path)) this.scheduleFileReload();
    });
    this.watcher.on('error', (err: unknown) => this.log.error('policy directory watch failed', { dir: this.opts.dir, error: String(err) }));
    if (this.opts.kubeConfig) await this.startInformers(this.opts.kubeConfig);
  }

  /** The documents in force (immutable). */
  current(): DocumentSet {
    return this.set;
  }

  /** True once a good set has been loaded. */
  loaded(): boolean {
    return this.isLoaded;
  }

  /** Stops watching files and the cluster. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.fileTimer);
    clearTimeout(this.buildTimer);
    await this.watcher?.close();
    await Promise.all(this.informers.map((i) => i.stop().catch(() => undefined)));
  }

  /** Reloads the directory now; a bad load keeps the last good set. Returns whether the load was good. */
  async reloadFiles(): Promise<boolean> {
    const r = await loadDirectory(this.opts.dir);
    if (this.stopped) return false;
    if (r.errors.length) {
      this.reportErrors(r.errors);
      this.log.error('policy reload failed, keeping the last good set', { dir: this.opts.dir, errors: r.errors.length });
      return false;
    }
    this.fileDocs = r.docs;
    this.rebuild();
    return true;
  }

  private scheduleFileReload(): void {
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => void this.reloadFiles(), this.opts.debounceMs ?? 250);
  }

  private scheduleRebuild(): void {
    clearTimeout(this.buildTimer);
    this.buildTimer = setTimeout(() => this.rebuild(), this.opts.debounceMs ?? 250);
  }

  private reportErrors(errors: DocumentError[]): void {
    this.opts.metrics?.policyReloadFailures.inc();
    for (const e of errors) this.log.error('invalid policy document', { source: e.source, object: e.object, path: e.path, reason: e.message, code: e.code });
  }

  private rebuild(): void {
    // Custom resources come after files: a resource overrides a file document with the same identity.
    this.set = buildDocumentSet([...this.fileDocs, ...this.crDocs.values()]);
    this.isLoaded = true;
    const m = this.opts.metrics;
    if (m) {
      m.policyReloads.inc();
      for (const [kind, n] of Object.entries(countByKind(this.set))) m.policyDocuments.set({ kind }, n);
    }
    this.log.info('policy documents loaded', { policies: this.set.policies.length, schemas: this.set.schemas.size });
    this.emit('change', this.set);
  }

  /** Applies one custom resource event: a valid resource replaces its previous version, an invalid one is reported and ignored. */
  applyResource(event: 'add' | 'update' | 'delete', obj: KubernetesObject): void {
    const r = validateDocument(obj, 'cluster');
    const key = r.doc ? documentKey(r.doc) : `${String(obj.kind)}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (event === 'delete') this.crDocs.delete(key);
    else if (!r.doc) {
      this.reportErrors(r.errors);
      return;
    } else this.crDocs.set(key, r.doc);
    this.scheduleRebuild();
  }

  /** Applies resource events in arrival order; a ConfigSchema's schema is first compiled in a worker, off the event loop. */
  private queueResource(event: 'add' | 'update' | 'delete', obj: KubernetesObject): void {
    this.resourceEvents = this.resourceEvents
      .then(() => (event === 'delete' ? undefined : prepareContentSchema(obj)))
      .then(() => this.applyResource(event, obj))
      .catch((err: unknown) => this.log.error('policy resource event failed', { kind: obj.kind, name: obj.metadata?.name, error: String(err) }));
  }

  private async startInformers(kc: KubeConfig): Promise<void> {
    // Loaded only when connected to a cluster: the client is large and standalone use never needs it.
    const { CustomObjectsApi, makeInformer } = await import('@kubernetes/client-node');
    const api = kc.makeApiClient(CustomObjectsApi);
    for (const kind of DOCUMENT_KINDS) {
      const plural = KINDS[kind].plural;
      const list = (() => api.listClusterCustomObject({ group: BULWARK_GROUP, version: CRD_VERSION, plural })) as unknown as ListPromise<KubernetesObject>;
      const informer = makeInformer(kc, `/apis/${BULWARK_GROUP}/${CRD_VERSION}/${plural}`, list);
      informer.on('add', (o) => this.queueResource('add', { ...o, kind }));
      informer.on('update', (o) => this.queueResource('update', { ...o, kind }));
      informer.on('delete', (o) => this.queueResource('delete', { ...o, kind }));
      informer.on('error', (err) => {
        this.log.warn('policy resource watch failed, retrying', { kind, error: String(err) });
        if (!this.stopped) setTimeout(() => void informer.start().catch(() => undefined), 5000).unref();
      });
      this.informers.push(informer);
      await informer.start();
    }
  }
}
