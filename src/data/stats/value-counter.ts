/**
 * Counts of the values of a string feature, with bounded memory.
 *
 * Values are binary strings (one char per byte, so any bytes are exact keys). Counting is exact while at most
 * `maxExact` distinct values have been seen. Past that bound the counter switches, for good, to approximate mode:
 * the distinct count comes from a HyperLogLog (seeded with every value seen so far) and the counts become a
 * Misra-Gries summary that keeps the heavy hitters: whenever it holds more than `2 * maxExact` values, the
 * `(maxExact + 1)`-th largest count is subtracted from all counts and values at zero are dropped. Every reported
 * count then underestimates the truth by at most `N / (maxExact + 1)`. Merging two exact counters whose union
 * stays within the bound gives exactly the single-pass result.
 * @module
 */
import { HyperLogLog, type HllState } from "./hll.js";

/** JSON form of a {@link ValueCounter}. */
export interface ValueCounterState {
  /** Value (binary string) and count pairs, sorted by value. */
  readonly entries: readonly (readonly [string, number])[];
  /** Present once the exact bound was exceeded. */
  readonly hll: HllState | null;
}

/**
 * Exact-then-approximate counter of distinct values.
 * @example
 * const c = new ValueCounter(100, 14);
 * c.add("a"); c.add("b"); c.add("a");
 * c.distinct(); // 2
 */
export class ValueCounter {
  private counts = new Map<string, number>();
  private hll: HyperLogLog | null = null;

  constructor(
    readonly maxExact: number,
    readonly hllPrecision: number,
  ) {}

  /** True while counts and distinct count are exact. */
  get exact(): boolean {
    return this.hll === null;
  }

  /** Count one occurrence of `key`. */
  add(key: string): void {
    const c = this.counts.get(key);
    if (c !== undefined) {
      this.counts.set(key, c + 1);
    } else {
      this.counts.set(key, 1);
      this.afterGrowth();
    }
    if (this.hll) this.hll.add(key);
  }

  /** Fold another counter (same bounds) into this one. */
  merge(other: ValueCounter): void {
    for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    if (other.hll) {
      this.goApproximate();
      this.hll!.merge(other.hll);
    } else if (this.hll) {
      for (const k of other.counts.keys()) this.hll.add(k);
    }
    this.afterGrowth();
  }

  /** Number of distinct values (exact, or the HyperLogLog estimate rounded). */
  distinct(): number {
    return this.hll ? Math.max(Math.round(this.hll.estimate()), this.counts.size) : this.counts.size;
  }

  /** The counted values and counts (in approximate mode, the heavy hitters only). */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  /** A deep copy. */
  clone(): ValueCounter {
    return ValueCounter.fromJSON(this.toJSON(), this.maxExact, this.hllPrecision);
  }

  /** Plain-data state; entries sorted by key for a stable serialization. */
  toJSON(): ValueCounterState {
    const entries = [...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { entries, hll: this.hll ? this.hll.toJSON() : null };
  }

  /** Rebuild from {@link ValueCounter.toJSON} output. */
  static fromJSON(state: ValueCounterState, maxExact: number, hllPrecision: number): ValueCounter {
    const c = new ValueCounter(maxExact, hllPrecision);
    for (const [k, n] of state.entries) c.counts.set(k, n);
    c.hll = state.hll ? HyperLogLog.fromJSON(state.hll) : null;
    return c;
  }

  private afterGrowth(): void {
    if (!this.hll && this.counts.size > this.maxExact) this.goApproximate();
    if (this.hll && this.counts.size > 2 * this.maxExact) this.reduce();
  }

  private goApproximate(): void {
    if (this.hll) return;
    this.hll = new HyperLogLog(this.hllPrecision);
    for (const k of this.counts.keys()) this.hll.add(k);
  }

  /** Misra-Gries reduction to at most `maxExact` values. */
  private reduce(): void {
    const sorted = Float64Array.from(this.counts.values()).sort(); // ascending
    const cut = sorted[sorted.length - 1 - this.maxExact] as number; // the (maxExact + 1)-th largest count
    const next = new Map<string, number>();
    for (const [k, c] of this.counts) if (c > cut) next.set(k, c - cut);
    this.counts = next;
  }
}
