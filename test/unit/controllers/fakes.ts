/**
 * Test doubles for the controllers: an in-memory Lease with apiserver semantics (resourceVersion
 * checks, 409 as LeaseConflictError), a fake clock, an object reader over plain objects and an
 * event sink that records what would be created.
 */
import type { KubeObject } from '../../../webhook/admission/types.js';
import type { DriftEvent } from '../../../webhook/controllers/drift-event.js';
import type { DriftKind } from '../../../webhook/controllers/drift-findings.js';
import type { EventSink, ObjectReader } from '../../../webhook/controllers/drift-scan.js';
import { LeaseConflictError, type LeaseClient, type LeaseRecord } from '../../../webhook/controllers/lease-client.js';
import type { LeaseState } from '../../../webhook/controllers/lease-decision.js';

/** One stored lease shared by several clients, like the apiserver. */
export class MemoryLease {
  record: LeaseRecord | undefined;
  private version = 0;
  /** When set, the next write fails with this error (then clears). */
  failNext: Error | undefined;
  /** Called between a client's read and its write, to simulate a racing writer. */
  beforeWrite: (() => void) | undefined;
  writes = 0;

  /** Writes directly (another replica), bumping the resourceVersion. */
  put(state: LeaseState): LeaseRecord {
    this.record = { state: { ...state }, resourceVersion: String(++this.version) };
    return this.record;
  }

  /** A client bound to this lease. */
  client(): LeaseClient {
    const write = (check: () => void, state: LeaseState): Promise<LeaseRecord> => {
      const hook = this.beforeWrite;
      this.beforeWrite = undefined;
      hook?.();
      if (this.failNext) {
        const err = this.failNext;
        this.failNext = undefined;
        return Promise.reject(err);
      }
      check();
      this.writes++;
      return Promise.resolve(this.put(state));
    };
    return {
      get: async () => (this.record ? { state: { ...this.record.state }, resourceVersion: this.record.resourceVersion } : undefined),
      create: (state) =>
        write(() => {
          if (this.record) throw new LeaseConflictError();
        }, state),
      update: (prev, state) =>
        write(() => {
          if (!this.record || this.record.resourceVersion !== prev.resourceVersion) throw new LeaseConflictError();
        }, state),
    };
  }
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public ms = 1_700_000_000_000) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Serves plain objects by kind/namespace/name; a name in `failing` throws, like an API error. */
export class FakeReader implements ObjectReader {
  readonly objects = new Map<string, KubeObject>();
  readonly failing = new Set<string>();
  gets = 0;
  maxInFlight = 0;
  private inFlight = 0;

  add(obj: KubeObject): void {
    this.objects.set(`${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`, obj);
  }

  async get(kind: DriftKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.gets++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    const key = `${kind}/${namespace}/${name}`;
    if (this.failing.has(name)) throw new Error(`GET ${kind} ${namespace}/${name}: HTTP 503`);
    const obj = this.objects.get(key);
    return obj ? structuredClone(obj) : undefined;
  }
}

/** Records created Events; can be told to fail. */
export class FakeEvents implements EventSink {
  readonly created: DriftEvent[] = [];
  fail = false;

  async create(event: DriftEvent): Promise<void> {
    if (this.fail) throw new Error('create Event: HTTP 403');
    this.created.push(event);
  }
}
