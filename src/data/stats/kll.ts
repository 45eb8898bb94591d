/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016) with deterministic compaction.
 *
 * Items live in levels; an item at level h stands for 2^h input values. When the sketch is over capacity, the
 * lowest full level is sorted and every other item is promoted one level up. Where the textbook algorithm flips a
 * coin to pick odd or even positions, this one alternates per level, so the same input sequence always gives the
 * same sketch (no randomness, seeded or not). While no compaction has happened (at most `k` values) the sketch
 * holds every value and answers exactly. Sketches with the same `k` merge.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { mergeSortedRuns, orderScratch, sortFloat64Prefix } from "./float-order.js";

/** JSON form of a {@link KllSketch}. */
export interface KllState {
  readonly k: number;
  readonly n: number;
  /** Items per level; level h items weigh 2^h. */
  readonly levels: readonly (readonly number[])[];
  /** Next compaction offset (0 or 1) per level. */
  readonly parity: readonly number[];
}

const MIN_LEVEL_CAPACITY = 8;
const DECAY = 2 / 3;

/**
 * Mergeable, deterministic quantile sketch over finite numbers.
 *
 * Levels are growable `Float64Array` buffers, so adding a value allocates nothing (the hot loop of statistics over
 * millions of values). Level 0 is sorted when it is compacted; every higher level is kept sorted (promoted items,
 * already in order, are merged in), so compacting it needs no sort. The items of every level, and so every answer,
 * are those of the textbook order-agnostic description above; only the order within levels in `toJSON` reflects
 * this bookkeeping (level 0 in arrival order since its last compaction, higher levels ascending). Sorting and
 * merging use {@link sortFloat64Prefix} and {@link mergeSortedRuns}, whose order is that of
 * `Float64Array.prototype.sort`. {@link addMany} appends runs of values between compactions (their schedule
 * depends only on counts), so it equals one {@link add} per value.
 * @example
 * const s = new KllSketch(200);
 * for (let i = 1; i <= 100; i++) s.add(i);
 * s.quantile(1, 2); // 50 (exact: at most k values)
 */
export class KllSketch {
  readonly k: number;
  /** `items[0]` and its item count (fields of their own: the add path touches only these, `n` and `room`). */
  private level0: Float64Array;
  private len0 = 0;
  private n = 0;
  /** `totalCapacity` minus the number of items held: a compaction is due when it drops below 0. */
  private room = 0;
  /**
   * True while every item is the same number (`same`, compared with `Object.is`; undefined before any), as in the
   * per-example value counts of table data, where every row has one value: compacting then only moves counts,
   * since sorting and merging identical items changes nothing.
   */
  private uniform = true;
  private same: number | undefined = undefined;
  /** Item buffers per level; level h > 0 holds `lengths[h]` items (`lengths[0]` is unused: see `len0`). */
  private items: Float64Array[];
  private lengths: number[];
  private parity: number[];
  /** Capacity per level for the current number of levels, and their sum. */
  private capacities: number[] = [];
  private totalCapacity = 0;
  /** Sorted items and cumulative weights for answers, valid while `n === sortedAt`. */
  private sorted: { values: Float64Array; cumulative: Float64Array } | undefined;
  private sortedAt = -1;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < MIN_LEVEL_CAPACITY) {
      throw new KoanError("DATA_INVALID", `KLL sketch size k must be an integer >= ${MIN_LEVEL_CAPACITY}, got ${k}`);
    }
    this.k = k;
    this.level0 = new Float64Array(Math.min(k + 1, 64));
    this.items = [this.level0];
    this.lengths = [0];
    this.parity = [0];
    this.updateCapacities();
  }

  /** Number of values added (including through merges). */
  get count(): number {
    return this.n;
  }

  /** True while the sketch still holds every value it was given. */
  get exact(): boolean {
    return this.items.length === 1;
  }

  /** Add one finite value. */
  add(value: number): void {
    if (this.uniform) this.checkUniform(value);
    const len = this.len0;
    let buf = this.level0;
    if (len === buf.length) buf = this.grow(0, len + 1);
    buf[len] = value;
    this.len0 = len + 1;
    this.n++;
    if (--this.room < 0) this.compress();
  }

  /**
   * Add the finite values `values[start, end)` in order: the same sketch as one {@link add} per value. Between two
   * compactions values are copied in one tight loop.
   * @example
   * s.addMany(Float64Array.of(3, 1, 2)); // as s.add(3); s.add(1); s.add(2)
   */
  addMany(values: ArrayLike<number>, start = 0, end: number = values.length): void {
    if (this.uniform) for (let q = start; q < end && this.uniform; q++) this.checkUniform(values[q] as number);
    let i = start;
    while (i < end) {
      const m = this.batch(end - i);
      const len = this.len0;
      const buf = len + m > this.level0.length ? this.grow(0, len + m) : this.level0;
      for (let q = 0; q < m; q++) buf[len + q] = values[i + q] as number;
      i += m;
      this.len0 = len + m;
      this.n += m;
      this.room -= m;
      if (this.room < 0) this.compress();
    }
  }

  /** Add `count` copies of one finite value: the same sketch as `count` calls of {@link add}, in far fewer steps. */
  addRepeated(value: number, count: number): void {
    if (this.uniform && count > 0) this.checkUniform(value);
    let left = count;
    while (left > 0) {
      const m = this.batch(left);
      const len = this.len0;
      const buf = len + m > this.level0.length ? this.grow(0, len + m) : this.level0;
      if (m < 16) for (let q = len; q < len + m; q++) buf[q] = value; // cheaper than a runtime call
      else buf.fill(value, len, len + m);
      this.len0 = len + m;
      this.n += m;
      this.room -= m;
      left -= m;
      if (this.room < 0) this.compress();
    }
  }

  /** Clear {@link uniform} when `value` differs from the items (or take it as the value of an empty sketch). */
  private checkUniform(value: number): void {
    if (this.same === undefined) this.same = value;
    else if (!Object.is(value, this.same)) this.uniform = false;
  }

  /** How many of `left` adds to take in one go: up to and including the one that makes a compaction due. */
  private batch(left: number): number {
    const m = this.room + 1;
    return left < m ? left : m > 1 ? m : 1;
  }

  /** Fold another sketch (same `k`) into this one; `other` is not modified. */
  merge(other: KllSketch): void {
    if (other.k !== this.k) {
      throw new KoanError("DATA_INVALID", `cannot merge KLL sketches of different sizes (${this.k} and ${other.k})`);
    }
    if (other.n === 0) return;
    if (other === this) return this.merge(this.clone());
    if (this.n === 0) {
      this.uniform = other.uniform;
      this.same = other.same;
    } else if (!other.uniform || !Object.is(other.same, this.same)) this.uniform = false;
    while (this.items.length < other.items.length) {
      this.items.push(new Float64Array(MIN_LEVEL_CAPACITY));
      this.lengths.push(0);
      this.parity.push(other.parity[this.items.length - 1] as number);
    }
    this.updateCapacities();
    for (let h = 0; h < other.items.length; h++) {
      const add = other.lengthOf(h);
      if (add === 0) continue;
      const len = this.lengthOf(h);
      const buf = len + add > (this.items[h] as Float64Array).length ? this.grow(h, len + add) : (this.items[h] as Float64Array);
      const from = (other.items[h] as Float64Array).subarray(0, add);
      if (h === 0 || len === 0) buf.set(from, len); // level 0 keeps arrival order
      else {
        // Both runs are sorted: merge them (the sorted union, as sorting the concatenation gives).
        const s = orderScratch(len + add);
        s.set(buf.subarray(0, len));
        s.set(from, len);
        mergeSortedRuns(s, 0, len, len + add, buf, 0);
      }
      this.setLength(h, len + add);
    }
    this.n += other.n;
    this.room -= other.totalCapacity - other.room;
    this.compress();
  }

  /**
   * The value at rank `ceil(numerator / denominator * n)` (1-based; at least 1), i.e. the smallest value whose
   * cumulative weight reaches that rank. Rational arguments keep `i/10`-quantiles free of rounding error.
   * @returns NaN when the sketch is empty.
   */
  quantile(numerator: number, denominator: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((numerator * this.n) / denominator));
    return this.valueAtRank(rank);
  }

  /** The value at a 1-based weighted rank (clamped to 1..n). */
  valueAtRank(rank: number): number {
    const { values, cumulative } = this.view();
    if (values.length === 0) return Number.NaN;
    const r = Math.min(Math.max(rank, 1), this.n);
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) >= r) hi = mid;
      else lo = mid + 1;
    }
    return values[lo] as number;
  }

  /** Estimated number of values strictly below `x` (or at most `x` when `inclusive`). */
  rank(x: number, inclusive = false): number {
    const { values, cumulative } = this.view();
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inclusive ? (values[mid] as number) <= x : (values[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : (cumulative[lo - 1] as number);
  }

  /** A deep copy. */
  clone(): KllSketch {
    return KllSketch.fromJSON(this.toJSON());
  }

  /** Plain-data state (finite numbers only), for JSON. */
  toJSON(): KllState {
    return {
      k: this.k,
      n: this.n,
      levels: this.items.map((buf, h) => Array.from(buf.subarray(0, this.lengthOf(h)))),
      parity: [...this.parity],
    };
  }

  /**
   * Rebuild a sketch from {@link KllSketch.toJSON} output.
   * @throws KoanError `FORMAT_INVALID` when the state is inconsistent.
   */
  static fromJSON(state: KllState): KllSketch {
    const bad = (why: string): never => {
      throw new KoanError("FORMAT_INVALID", `invalid KLL sketch state: ${why}`);
    };
    if (typeof state !== "object" || state === null) bad("not an object");
    const sketch = new KllSketch(state.k);
    if (!Array.isArray(state.levels) || state.levels.length === 0) bad("levels must be a non-empty array");
    if (!Array.isArray(state.parity) || state.parity.length !== state.levels.length) bad("parity must match levels");
    let weight = 0;
    let size = 0;
    state.levels.forEach((items, h) => {
      if (!Array.isArray(items)) bad(`level ${h} is not an array`);
      for (const x of items) if (typeof x !== "number" || !Number.isFinite(x)) bad(`level ${h} holds a non-finite item`);
      weight += items.length * 2 ** h;
      size += items.length;
    });
    for (const p of state.parity) if (p !== 0 && p !== 1) bad("parity values must be 0 or 1");
    if (!Number.isInteger(state.n) || state.n !== weight) bad(`n (${state.n}) does not match the level weights (${weight})`);
    sketch.items = state.levels.map((l) => {
      const buf = new Float64Array(Math.max(MIN_LEVEL_CAPACITY, l.length));
      buf.set(l);
      return buf;
    });
    sketch.level0 = sketch.items[0] as Float64Array;
    sketch.lengths = state.levels.map((l, h) => (h === 0 ? 0 : l.length));
    sketch.len0 = (state.levels[0] as readonly number[]).length;
    for (let h = 1; h < sketch.items.length; h++) sortFloat64Prefix(sketch.items[h] as Float64Array, sketch.lengths[h] as number); // keep higher levels sorted
    sketch.parity = [...state.parity];
    sketch.n = state.n;
    const first = state.levels.find((l) => l.length > 0)?.[0];
    if (first !== undefined) {
      sketch.same = first;
      sketch.uniform = state.levels.every((l) => l.every((x) => Object.is(x, first)));
    }
    sketch.updateCapacities();
    sketch.room = sketch.totalCapacity - size;
    return sketch;
  }

  /** Number of items at level h. */
  private lengthOf(h: number): number {
    return h === 0 ? this.len0 : (this.lengths[h] as number);
  }

  private setLength(h: number, length: number): void {
    if (h === 0) this.len0 = length;
    else this.lengths[h] = length;
  }

  /** Level capacities: `max(8, floor(k * (2/3)^depth))`, depth counted from the top level. */
  private updateCapacities(): void {
    const levels = this.items.length;
    if (this.capacities.length === levels) return;
    const caps: number[] = [];
    let total = 0;
    for (let level = 0; level < levels; level++) {
      const depth = levels - 1 - level;
      let c = this.k;
      for (let i = 0; i < depth; i++) c *= DECAY;
      const cap = Math.max(MIN_LEVEL_CAPACITY, Math.floor(c));
      caps.push(cap);
      total += cap;
    }
    this.capacities = caps;
    this.room += total - this.totalCapacity;
    this.totalCapacity = total;
  }

  /** Replace level h's buffer with one of at least `need` items (keeping its contents). */
  private grow(h: number, need: number): Float64Array {
    const old = this.items[h] as Float64Array;
    const buf = new Float64Array(Math.max(need, old.length * 2, MIN_LEVEL_CAPACITY));
    buf.set(old.subarray(0, this.lengthOf(h)));
    this.items[h] = buf;
    if (h === 0) this.level0 = buf;
    return buf;
  }

  private compress(): void {
    while (this.room < 0) {
      const levels = this.items.length;
      let h = 0;
      while (h < levels && this.lengthOf(h) < (this.capacities[h] as number)) h++;
      if (h === levels) h = levels - 1; // unreachable in practice; compact the top
      this.compactLevel(h);
    }
  }

  /**
   * Sort level h and promote every other item (odd or even positions, alternating per level) to level h + 1;
   * with an odd count the smallest item stays.
   */
  private compactLevel(h: number): void {
    if (h + 1 === this.items.length) {
      this.items.push(new Float64Array(this.k + 1)); // a new top level fills up to about k items
      this.lengths.push(0);
      this.parity.push(0);
      this.updateCapacities();
    }
    const len = this.lengthOf(h);
    const items = this.items[h] as Float64Array;
    if (this.uniform) return this.compactUniform(h, len);
    if (h === 0) sortFloat64Prefix(items, len); // higher levels are sorted already
    const start = len % 2; // an odd item out stays at this level
    const offset = this.parity[h] as number;
    this.parity[h] = 1 - offset;
    const promoted = (len - start) / 2;
    const upLen = this.lengths[h + 1] as number;
    const up = upLen + promoted > (this.items[h + 1] as Float64Array).length ? this.grow(h + 1, upLen + promoted) : (this.items[h + 1] as Float64Array);
    // Merge the promoted items (items[first], items[first + 2], ..., ascending) into the sorted level above. Items
    // there that sort before the smallest promoted one keep their places, those after the largest move up as a
    // block; only the overlap is merged (all of it on random data, none for ascending or constant input).
    const first = start + offset;
    let low = upLen;
    let high = upLen;
    if (promoted > 0 && upLen > 0) {
      const smallest = items[first] as number;
      const largest = items[first + 2 * (promoted - 1)] as number;
      low = smallest === 0 ? countBelow(up, upLen, 0) : endOfAtMost(up, 0, upLen, smallest); // ±0 tie but differ
      high = endOfAtMost(up, low, upLen, largest);
      if (high < upLen) up.copyWithin(high + promoted, high, upLen);
    }
    const rest = high - low;
    if (rest === 0) {
      for (let p = 0, q = first; p < promoted; p++, q += 2) up[low + p] = items[q] as number;
    } else {
      const s = orderScratch(promoted + rest);
      for (let p = 0, q = first; p < promoted; p++, q += 2) s[p] = items[q] as number;
      for (let q = 0; q < rest; q++) s[promoted + q] = up[low + q] as number;
      mergeSortedRuns(s, 0, promoted, promoted + rest, up, low);
    }
    this.lengths[h + 1] = upLen + promoted;
    this.setLength(h, start); // items[0] (the smallest) stays when the count was odd
    this.room += promoted;
  }

  /** {@link compactLevel} when every item is {@link same}: the same counts and parity, no sorting or merging. */
  private compactUniform(h: number, len: number): void {
    const start = len % 2;
    this.parity[h] = 1 - (this.parity[h] as number);
    const promoted = (len - start) / 2;
    const upLen = this.lengths[h + 1] as number;
    const up = upLen + promoted > (this.items[h + 1] as Float64Array).length ? this.grow(h + 1, upLen + promoted) : (this.items[h + 1] as Float64Array);
    up.fill(this.same as number, upLen, upLen + promoted);
    this.lengths[h + 1] = upLen + promoted;
    this.setLength(h, start);
    this.room += promoted;
  }

  private view(): { values: Float64Array; cumulative: Float64Array } {
    if (this.sorted && this.sortedAt === this.n) return this.sorted;
    const pairs: [number, number][] = [];
    this.items.forEach((buf, h) => {
      const w = 2 ** h;
      const len = this.lengthOf(h);
      for (let i = 0; i < len; i++) pairs.push([buf[i] as number, w]);
    });
    const zeroRank = (x: number): number => (x === 0 && 1 / x < 0 ? 0 : 1); // -0 before +0, whatever the level order
    pairs.sort((a, b) => a[0] - b[0] || (a[0] === 0 ? zeroRank(a[0]) - zeroRank(b[0]) : 0) || a[1] - b[1]);
    const values = new Float64Array(pairs.length);
    const cumulative = new Float64Array(pairs.length);
    let acc = 0;
    pairs.forEach(([x, w], i) => {
      values[i] = x;
      acc += w;
      cumulative[i] = acc;
    });
    this.sorted = { values, cumulative };
    this.sortedAt = this.n;
    return this.sorted;
  }
}

/** Number of items of the sorted `buf[0, len)` strictly below `x` (numerically: ±0 are not below each other). */
function countBelow(buf: Float64Array, len: number, x: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buf[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The end of the items at most `x` (numerically) in the sorted `buf[from, to)`. */
function endOfAtMost(buf: Float64Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buf[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
