/**
 * A minimal list-then-watch loop (the reflector of an informer) that hands every object to a sink
 * and re-lists after a watch ends or the resourceVersion expires. The sink keeps only what it needs,
 * so Secret values are never cached.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';

/** Receives objects from a reflector. */
export interface ReflectorSink {
  /** Replaces every object of this reflector's kind (after a list). */
  replace(items: Record<string, any>[]): void;
  upsert(obj: Record<string, any>): void;
  remove(obj: Record<string, any>): void;
}

/** Lists one page of a collection (continue token in, items and list metadata out). */
export type Lister = (cont: string | undefined) => Promise<{ items: any[]; metadata?: { resourceVersion?: string; _continue?: string } }>;

/** Keeps a sink in step with one resource collection (e.g. /api/v1/configmaps). */
export class Reflector {
  private stopped = false;
  private hasSynced = false;
  private req: { abort(): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly path: string,
    private readonly kind: string,
    private readonly lister: Lister,
    private readonly sink: ReflectorSink,
    private readonly logger: Logger,
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
          const rv = await this.list();
          if (!this.hasSynced) {
            this.hasSynced = true;
            resolve();
          }
          await this.watch(rv);
          this.retryTimer = setTimeout(() => void run(0), 0);
        } catch (err) {
          if (this.stopped) return;
          this.logger.warn('cluster cache list/watch failed; retrying', { resource: this.path, error: errorMessage(err) });
          const next = Math.min(Math.max(delayMs * 2, 500), 30_000);
          this.retryTimer = setTimeout(() => void run(next), next);
        }
      };
      void run(0);
    });
  }

  private async list(): Promise<string> {
    const items: Record<string, any>[] = [];
    let rv = '';
    let cont: string | undefined;
    do {
      const page = await this.lister(cont);
      for (const item of page.items ?? []) items.push({ ...item, kind: this.kind });
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?._continue || undefined;
    } while (cont);
    this.sink.replace(items);
    return rv;
  }

  private watch(resourceVersion: string): Promise<void> {
    const watch = new k8s.Watch(this.kc);
    return new Promise((resolve, reject) => {
      watch
        .watch(
          this.path,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (type, obj: any) => {
            if (type === 'ADDED' || type === 'MODIFIED') this.sink.upsert({ ...obj, kind: this.kind });
            else if (type === 'DELETED') this.sink.remove({ ...obj, kind: this.kind });
            else if (type === 'ERROR') reject(new Error(`watch error: ${obj?.message ?? 'unknown'}`));
          },
          (err: unknown) => (err ? reject(err) : resolve()),
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
