/**
 * The one interface every store provider implements: read a value and its version, optionally
 * watch for change; failures are SidecarErrors with a code.
 */
import type { SourceRef, StoreSpec } from '../spec/types.js';

/** A fetched value: raw bytes or text, or a structured map (key/value stores), and the store's version id. */
export interface FetchedValue {
  value: Buffer | string | Record<string, unknown>;
  /** The store's own version (Vault version, SSM Version, resourceVersion...), or a content hash. */
  version: string;
}

/** What a provider reads: the source reference, already scope-checked and normalised. */
export type ProviderRef = SourceRef;

/** A store provider. */
export interface Provider {
  /** Reads one value; throws a SidecarError (NOT_FOUND, UNAVAILABLE, DENIED, BAD_RESPONSE); should stop when the signal (the read deadline) aborts. */
  read(ref: ProviderRef, signal?: AbortSignal): Promise<FetchedValue>;
  /** Calls onChange whenever the value may have changed, until the signal aborts (push providers only). */
  watch?(ref: ProviderRef, onChange: () => void, signal: AbortSignal): void;
  /** Releases timers, leases and connections. */
  close?(): Promise<void>;
}

/** Everything a provider factory gets: its store definition and the pod's context. */
export interface ProviderContext {
  storeName: string;
  store: StoreSpec;
  namespace: string;
}

/** A provider module's factory. */
export type ProviderFactory = (ctx: ProviderContext) => Promise<Provider> | Provider;
