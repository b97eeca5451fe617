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

/** Remembers the content hash of a set that made the app unhealthy; it is skipped until a different set is fetched. */
export class BadVersionMemory {
  private bad: string | undefined;

  /** Marks a set hash as bad. */
  mark(hash: string): void {
    this.bad = hash;
  }

  /** True when the candidate is the bad set; a different candidate clears the memory (the store changed). */
  isBad(candidate: string): boolean {
    if (this.bad === undefined) return false;
    if (candidate === this.bad) return true;
    this.bad = undefined;
    return false;
  }

  /** The remembered bad hash, if any. */
  current(): string | undefined {
    return this.bad;
  }
}
