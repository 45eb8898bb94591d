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
/** Levels up to this many items are sorted by insertion (no typed-array view, no call into the runtime). */
const INSERTION_SORT_MAX = 32;

/** True when `a` sorts strictly before `b` in `Float64Array.prototype.sort` order (-0 before +0). */
function before(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && 1 / a < 1 / b);
}

/**
 * Sort `buf[0, len)` ascending in place, in the order of `Float64Array.prototype.sort` (numeric, -0 before +0;
 * the sketch holds no NaN).
 */
function sortPrefix(buf: Float64Array, len: number): void {
  let sorted = true;
  for (let i = 1; i < len; i++) {
    const u = buf[i - 1] as number;
    const v = buf[i] as number;
    if (u > v || (u === 0 && v === 0 && 1 / u > 1 / v)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return; // common for the counts of values per example (all 1) and for levels fed in order
  if (len > INSERTION_SORT_MAX) {
    buf.subarray(0, len).sort();
    return;
  }
  for (let i = 1; i < len; i++) {
    const v = buf[i] as number;
    let j = i - 1;
    for (; j >= 0; j--) {
      const u = buf[j] as number;
      if (u > v || (u === 0 && v === 0 && 1 / u > 1 / v)) buf[j + 1] = u;
      else break;
    }
    buf[j + 1] = v;
  }
}

/**
 * Mergeable, deterministic quantile sketch over finite numbers.
 *
 * Levels are growable `Float64Array` buffers, so adding a value allocates nothing (the hot loop of statistics over
 * millions of values). Level 0 is sorted when it is compacted; every higher level is kept sorted (promoted items,
 * already in order, are merged in), so compacting it needs no sort. The items of every level, and so every answer,
 * are those of the textbook order-agnostic description above; only the order within levels in `toJSON` reflects
 * this bookkeeping.
 * @example
 * const s = new KllSketch(200);
 * for (let i = 1; i <= 100; i++) s.add(i);
 * s.quantile(1, 2); // 50 (exact: at most k values)
 */
export class KllSketch {
  readonly k: number;
  /** Item buffers per level (only the first `lengths[h]` items of level h count). */
  private items: Float64Array[];
  private lengths: number[];
  private parity: number[];
  /** Capacity per level for the current number of levels, and their sum. */
  private capacities: number[] = [];
  private totalCapacity = 0;
  private n = 0;
  private size = 0;
  private sorted: { values: Float64Array; cumulative: Float64Array } | undefined;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < MIN_LEVEL_CAPACITY) {
      throw new KoanError("DATA_INVALID", `KLL sketch size k must be an integer >= ${MIN_LEVEL_CAPACITY}, got ${k}`);
    }
    this.k = k;
    this.items = [new Float64Array(Math.min(k + 1, 64))];
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
    let buf = this.items[0] as Float64Array;
    const len = this.lengths[0] as number;
    if (len === buf.length) buf = this.grow(0, len + 1);
    buf[len] = value;
    this.lengths[0] = len + 1;
    this.n++;
    this.size++;
    this.sorted = undefined;
    if (this.size > this.totalCapacity) this.compress();
  }

  /** Add `count` copies of one finite value: the same sketch as `count` calls of {@link add}, in far fewer steps. */
  addRepeated(value: number, count: number): void {
    let left = count;
    while (left > 0) {
      const room = this.totalCapacity - this.size + 1; // adds up to and including the one that triggers compaction
      const m = left < room ? left : room;
      const len = this.lengths[0] as number;
      const buf = len + m > (this.items[0] as Float64Array).length ? this.grow(0, len + m) : (this.items[0] as Float64Array);
      buf.fill(value, len, len + m);
      this.lengths[0] = len + m;
      this.n += m;
      this.size += m;
      left -= m;
      if (this.size > this.totalCapacity) this.compress();
    }
    this.sorted = undefined;
  }

  /** Fold another sketch (same `k`) into this one; `other` is not modified. */
  merge(other: KllSketch): void {
    if (other.k !== this.k) {
      throw new KoanError("DATA_INVALID", `cannot merge KLL sketches of different sizes (${this.k} and ${other.k})`);
    }
    if (other.n === 0) return;
    if (other === this) return this.merge(this.clone());
    while (this.items.length < other.items.length) {
      this.items.push(new Float64Array(MIN_LEVEL_CAPACITY));
      this.lengths.push(0);
      this.parity.push(other.parity[this.items.length - 1] as number);
    }
    this.updateCapacities();
    for (let h = 0; h < other.items.length; h++) {
      const add = other.lengths[h] as number;
      if (add === 0) continue;
      const len = this.lengths[h] as number;
      const buf = len + add > (this.items[h] as Float64Array).length ? this.grow(h, len + add) : (this.items[h] as Float64Array);
      buf.set((other.items[h] as Float64Array).subarray(0, add), len);
      this.lengths[h] = len + add;
    }
    for (let h = 1; h < other.items.length; h++) if ((other.lengths[h] as number) > 0) sortPrefix(this.items[h] as Float64Array, this.lengths[h] as number);
    this.n += other.n;
    this.size += other.size;
    this.sorted = undefined;
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
      levels: this.items.map((buf, h) => Array.from(buf.subarray(0, this.lengths[h]))),
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
    sketch.lengths = state.levels.map((l) => l.length);
    for (let h = 1; h < sketch.items.length; h++) sortPrefix(sketch.items[h] as Float64Array, sketch.lengths[h] as number); // keep higher levels sorted
    sketch.parity = [...state.parity];
    sketch.n = state.n;
    sketch.size = size;
    sketch.updateCapacities();
    return sketch;
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
    this.totalCapacity = total;
  }

  /** Replace level h's buffer with one of at least `need` items (keeping its contents). */
  private grow(h: number, need: number): Float64Array {
    const old = this.items[h] as Float64Array;
    const buf = new Float64Array(Math.max(need, old.length * 2, MIN_LEVEL_CAPACITY));
    buf.set(old.subarray(0, this.lengths[h]));
    this.items[h] = buf;
    return buf;
  }

  private compress(): void {
    while (this.size > this.totalCapacity) {
      const levels = this.items.length;
      let h = 0;
      while (h < levels && (this.lengths[h] as number) < (this.capacities[h] as number)) h++;
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
    const len = this.lengths[h] as number;
    const items = this.items[h] as Float64Array;
    if (h === 0) sortPrefix(items, len); // higher levels are sorted already
    const start = len % 2; // an odd item out stays at this level
    const offset = this.parity[h] as number;
    this.parity[h] = 1 - offset;
    const promoted = (len - start) / 2;
    const upLen = this.lengths[h + 1] as number;
    const up = upLen + promoted > (this.items[h + 1] as Float64Array).length ? this.grow(h + 1, upLen + promoted) : (this.items[h + 1] as Float64Array);
    // Merge the promoted items (items[first], items[first + 2], ..., ascending) into the sorted level above, from the back.
    const first = start + offset;
    let i = upLen - 1;
    let j = first + 2 * (promoted - 1);
    let w = upLen + promoted - 1;
    while (j >= first) {
      const v = items[j] as number;
      if (i >= 0 && before(v, up[i] as number)) up[w--] = up[i--] as number;
      else {
        up[w--] = v;
        j -= 2;
      }
    }
    this.lengths[h + 1] = upLen + promoted;
    this.lengths[h] = start; // items[0] (the smallest) stays when the count was odd
    this.size -= promoted;
  }

  private view(): { values: Float64Array; cumulative: Float64Array } {
    if (this.sorted) return this.sorted;
    const pairs: [number, number][] = [];
    this.items.forEach((buf, h) => {
      const w = 2 ** h;
      const len = this.lengths[h] as number;
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
    return this.sorted;
  }
}
