/**
 * Health checks after a reload, and the memory of a bad version that must not be retried until
 * the store's value changes.
 */
import { sleep } from '../fallback/backoff.js';

/** Polls url until it answers 2xx (true) or the deadline passes (false); waits settleMs first so the app can apply the change. */
export async function waitHealthy(url: string, timeoutMs: number, settleMs = Math.min(1000, timeoutMs / 4), intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  await sleep(settleMs);
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(100, Math.min(2000, deadline - Date.now()))) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return true;
    } catch {
      // not up yet
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  return false;
}

/** Remembers, per file, the content hash that made the app unhealthy; it is skipped until that file's store value changes. */
export class BadVersionMemory {
  private readonly bad = new Map<string, string>();

  /** Marks a file's content hash as bad. */
  mark(file: string, hash: string): void {
    this.bad.set(file, hash);
  }

  /** True when the candidate is the file's bad content; a different candidate clears the file's memory (its store changed). */
  isBad(file: string, candidate: string): boolean {
    const bad = this.bad.get(file);
    if (bad === undefined) return false;
    if (candidate === bad) return true;
    this.bad.delete(file);
    return false;
  }

  /** The remembered bad hash of a file, if any. */
  current(file: string): string | undefined {
    return this.bad.get(file);
  }
}
