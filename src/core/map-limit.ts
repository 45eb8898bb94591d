/**
 * Run an async function over items with at most `limit` calls in flight, keeping the results in item order.
 * @module
 */

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls of `fn` running at once. The first failure rejects the
 * result once the calls in flight have settled; no call starts after it.
 * @example
 * const sizes = await mapLimit(paths, 4, async (p) => (await stat(p)).size);
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejected) throw rejected.reason;
  return results;
}
