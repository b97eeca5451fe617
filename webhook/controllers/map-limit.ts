/**
 * Runs an async function over items with at most `limit` calls in flight, so a scan of thousands
 * of objects never floods the apiserver.
 */

/** Calls fn for every item, at most limit at a time; resolves when all are done (fn should not throw). */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
}
