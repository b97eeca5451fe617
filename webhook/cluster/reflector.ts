/**
 * A minimal list-then-watch loop (the reflector of an informer). It lists once, page by page, handing
 * each object to a sink that keeps only what it needs (Secret values are never cached), then watches
 * from the last resourceVersion it saw, resuming after a watch ends; it lists again only when the
 * apiserver says that version is gone (410) or after an error. The representation is the lister's and
 * the KubeConfig's to choose: kube-state passes metadata-only ones (metadata-only.ts) for the kinds
 * whose content no rule reads, and the watch then carries PartialObjectMetadata events.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';

/** Receives objects from a reflector. */
export interface ReflectorSink {
  upsert(obj: Record<string, any>): void;
  remove(obj: Record<string, any>): void;
}

/** One page of a list. */
export interface ListPage {
  items: any[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

/** Lists one page of a collection (continue token in, items and list metadata out). */
export type Lister = (cont: string | undefined) => Promise<ListPage>;

/** Thrown when the watch's resourceVersion is too old: the reflector must list again. */
class GoneError extends Error {}

/** What the reflector remembers of an object, to remove it after a re-list: its identity only. */
type Identity = { kind: string; metadata: { namespace?: string; name?: string; uid?: string } };

function keyOf(obj: Record<string, any>): string {
  const md = obj.metadata ?? {};
  return `${md.namespace ?? ''}/${md.name ?? ''}`;
}

/** Keeps a sink in step with one resource collection (e.g. /api/v1/configmaps). */
export class Reflector {
  private stopped = false;
  private hasSynced = false;
  private req: { abort(): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private known = new Map<string, Identity>();
  private lastRv = '';
  /** Lists done so far (the first one included), for tests and logs. */
  lists = 0;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly path: string,
    private readonly kind: string,
    private readonly lister: Lister,
    private readonly sink: ReflectorSink,
    private readonly logger: Logger,
    private readonly query: Record<string, string> = {},
    /** How long one watch request lasts before the apiserver ends it and the reflector resumes. */
    private readonly watchTimeoutSeconds = 300,
  ) {}

  /** Whether the first list has completed. */
  synced(): boolean {
    return this.hasSynced;
  }

  /** Starts the loop; resolves after the first successful list. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const run = async (delayMs: number): Promise<void> => {
        if (this.stopped) return;
        try {
          await this.list();
          if (!this.hasSynced) {
            this.hasSynced = true;
            resolve();
          }
          // Watch, and resume from the last version seen each time a watch ends normally.
          for (;;) {
            if (this.stopped) return;
            await this.watch();
          }
        } catch (err) {
          if (this.stopped) return;
          const gone = err instanceof GoneError;
          if (!gone) this.logger.warn('cluster cache list/watch failed; retrying', { resource: this.path, error: errorMessage(err) });
          const next = gone ? 0 : Math.min(Math.max(delayMs * 2, 500), 30_000);
          this.retryTimer = setTimeout(() => void run(next), next);
        }
      };
      void run(0);
    });
  }

  private identity(obj: Record<string, any>): Identity {
    const md = obj.metadata ?? {};
    return { kind: this.kind, metadata: { namespace: md.namespace, name: md.name, uid: md.uid } };
  }

  private async list(): Promise<void> {
    const seen = new Map<string, Identity>();
    let cont: string | undefined;
    do {
      const page = await this.lister(cont);
      for (const item of page.items ?? []) {
        const obj = { ...item, kind: this.kind };
        this.sink.upsert(obj);
        seen.set(keyOf(obj), this.identity(obj));
      }
      this.lastRv = page.metadata?.resourceVersion ?? this.lastRv;
      cont = page.metadata?._continue || undefined;
    } while (cont);
    for (const [key, id] of this.known) if (!seen.has(key)) this.sink.remove(id);
    this.known = seen;
    this.lists++;
  }

  private watch(): Promise<void> {
    const watch = new k8s.Watch(this.kc);
    return new Promise((resolve, reject) => {
      watch
        .watch(
          this.path,
          { ...this.query, resourceVersion: this.lastRv, allowWatchBookmarks: true, timeoutSeconds: this.watchTimeoutSeconds },
          (type, obj: any) => {
            const rv = obj?.metadata?.resourceVersion;
            if (type === 'ERROR') {
              if (obj?.code === 410) reject(new GoneError(obj?.message ?? 'resourceVersion too old'));
              else reject(new Error(`watch error: ${obj?.message ?? 'unknown'}`));
              return;
            }
            if (rv) this.lastRv = rv;
            if (type === 'BOOKMARK') return;
            const o = { ...obj, kind: this.kind };
            if (type === 'ADDED' || type === 'MODIFIED') {
              this.sink.upsert(o);
              this.known.set(keyOf(o), this.identity(o));
            } else if (type === 'DELETED') {
              this.sink.remove(o);
              this.known.delete(keyOf(o));
            }
          },
          (err: any) => {
            if (!err) resolve();
            else if (err?.statusCode === 410 || err?.code === 410 || /\b410\b/.test(String(err?.message ?? ''))) reject(new GoneError(String(err?.message ?? err)));
            else reject(err);
          },
        )
        .then((req) => {
          this.req = req;
        }, reject);
    });
  }

  /** Stops the loop. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.req?.abort();
  }
}
