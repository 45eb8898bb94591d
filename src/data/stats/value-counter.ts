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
 *
 * The counts live in a typed-array {@link CountTable} whose entries keep each value's two HyperLogLog hashes,
 * computed in one pass when the value is first counted (the first one also indexes the table): switching to
 * approximate mode hashes nothing, and a repeated value, already in the sketch, leaves it alone. The cut of a
 * reduction is found by selection rather than a sort. All observable state (entries and their order, counts,
 * reduction points and cuts, HyperLogLog registers) is exactly that of the original `Map`-based counter, which
 * `test/data-validation/value-counter-equivalence.test.ts` checks against a frozen copy of it.
 * @module
 */
import { CountTable } from "./count-table.js";
import { HyperLogLog, hllHashes, type HllState } from "./hll.js";
import { selectKth } from "./select.js";

/** Working copy of the counts for a reduction, shared by all counters (a reduction runs to completion). */
let scratch = new Float64Array(0);

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
  /** The counts; each entry keeps its value's two HyperLogLog hashes ({@link hllHashes}). */
  private table = new CountTable(hllHashes);
  private hll: HyperLogLog | null = null;
  /**
   * True when every counted value is known to be in `hll` already, so that counting it again cannot change the
   * sketch (false after {@link ValueCounter.fromJSON} of an approximate state: its registers are taken as given).
   */
  private hllHasAll = false;

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
    const table = this.table;
    const e = table.find(key);
    if (e >= 0) {
      table.addCount(e, 1);
      if (this.hll !== null && !this.hllHasAll) this.hll.addHashes(table.hashAt(e), table.hash2At(e));
      return;
    }
    const n = table.insert(key, 1);
    const hash = table.hashAt(n); // read before a reduce may drop the entry
    const rank = table.hash2At(n);
    this.afterGrowth();
    if (this.hll !== null) this.hll.addHashes(hash, rank);
  }

  /** Fold another counter (same bounds) into this one. */
  merge(other: ValueCounter): void {
    const mine = this.table;
    const theirs = other.table;
    const n = theirs.size; // fixed up front: `other` may be `this`
    for (let j = 0; j < n; j++) {
      const key = theirs.keyAt(j);
      const e = mine.find(key);
      if (e >= 0) mine.addCount(e, theirs.countAt(j));
      else mine.insert(key, 0 + theirs.countAt(j)); // 0 + c, as `(get ?? 0) + c` did
    }
    if (other.hll) {
      if (this.hll) this.hllHasAll &&= other.hllHasAll; // values new here are in other.hll, once merged
      this.goApproximate();
      this.hll!.merge(other.hll);
    } else if (this.hll) {
      for (let j = 0; j < n; j++) this.hll.addHashes(theirs.hashAt(j), theirs.hash2At(j));
    }
    this.afterGrowth();
  }

  /** Number of distinct values (exact, or the HyperLogLog estimate rounded). */
  distinct(): number {
    const size = this.table.size;
    return this.hll ? Math.max(Math.round(this.hll.estimate()), size) : size;
  }

  /** The counted values and counts (in approximate mode, the heavy hitters only), in first-insertion order. */
  *entries(): IterableIterator<[string, number]> {
    const table = this.table;
    for (let e = 0; e < table.size; e++) yield [table.keyAt(e), table.countAt(e)];
  }

  /** A deep copy. */
  clone(): ValueCounter {
    const c = ValueCounter.fromJSON(this.toJSON(), this.maxExact, this.hllPrecision);
    c.hllHasAll = this.hllHasAll;
    return c;
  }

  /** Plain-data state; entries sorted by key for a stable serialization. */
  toJSON(): ValueCounterState {
    const table = this.table;
    const entries: [string, number][] = [];
    for (let e = 0; e < table.size; e++) entries.push([table.keyAt(e), table.countAt(e)]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { entries, hll: this.hll ? this.hll.toJSON() : null };
  }

  /** Rebuild from {@link ValueCounter.toJSON} output. */
  static fromJSON(state: ValueCounterState, maxExact: number, hllPrecision: number): ValueCounter {
    const c = new ValueCounter(maxExact, hllPrecision);
    for (const [k, n] of state.entries) c.table.set(k, n);
    c.hll = state.hll ? HyperLogLog.fromJSON(state.hll) : null;
    return c;
  }

  private afterGrowth(): void {
    if (!this.hll && this.table.size > this.maxExact) this.goApproximate();
    if (this.hll && this.table.size > 2 * this.maxExact) this.reduce();
  }

  private goApproximate(): void {
    if (this.hll) return;
    const hll = new HyperLogLog(this.hllPrecision);
    const table = this.table;
    for (let e = 0; e < table.size; e++) hll.addHashes(table.hashAt(e), table.hash2At(e));
    this.hll = hll;
    this.hllHasAll = true;
  }

  /** Misra-Gries reduction to at most `maxExact` values. */
  private reduce(): void {
    const table = this.table;
    const n = table.size;
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
    const counts = scratch.subarray(0, n);
    let nan = false;
    for (let e = 0; e < n; e++) {
      const c = table.countAt(e);
      counts[e] = c;
      if (c !== c) nan = true;
    }
    const k = n - 1 - this.maxExact; // ascending index of the (maxExact + 1)-th largest count
    let cut: number;
    if (!Number.isInteger(k) || k < 0 || k >= n) cut = Number.NaN; // no such count: every entry goes, as before
    else if (nan) cut = counts.sort()[k]; // sort orders NaN last; selection cannot
    else cut = selectKth(counts, k);
    table.retainAbove(cut);
  }
}
