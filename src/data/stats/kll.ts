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

/**
 * Mergeable, deterministic quantile sketch over finite numbers.
 * @example
 * const s = new KllSketch(200);
 * for (let i = 1; i <= 100; i++) s.add(i);
 * s.quantile(1, 2); // 50 (exact: at most k values)
 */
export class KllSketch {
  readonly k: number;
  private levels: number[][];
  private parity: number[];
  private n = 0;
  private size = 0;
  /** Total capacity, cached for the current number of levels. */
  private capacityCache = { levels: 0, total: 0 };
  private sorted: { values: Float64Array; cumulative: Float64Array } | undefined;

  constructor(k: number) {
    if (!Number.isInteger(k) || k < MIN_LEVEL_CAPACITY) {
      throw new KoanError("DATA_INVALID", `KLL sketch size k must be an integer >= ${MIN_LEVEL_CAPACITY}, got ${k}`);
    }
    this.k = k;
    this.levels = [[]];
    this.parity = [0];
  }

  /** Number of values added (including through merges). */
  get count(): number {
    return this.n;
  }

  /** True while the sketch still holds every value it was given. */
  get exact(): boolean {
    return this.levels.length === 1;
  }

  /** Add one finite value. */
  add(value: number): void {
    this.levels[0].push(value);
    this.n++;
    this.size++;
    this.sorted = undefined;
    if (this.size > this.totalCapacity()) this.compress();
  }

  /** Fold another sketch (same `k`) into this one; `other` is not modified. */
  merge(other: KllSketch): void {
    if (other.k !== this.k) {
      throw new KoanError("DATA_INVALID", `cannot merge KLL sketches of different sizes (${this.k} and ${other.k})`);
    }
    if (other.n === 0) return;
    if (other === this) return this.merge(this.clone());
    while (this.levels.length < other.levels.length) {
      this.levels.push([]);
      this.parity.push(other.parity[this.levels.length - 1]);
    }
    other.levels.forEach((items, h) => {
      for (const x of items) this.levels[h].push(x);
    });
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
      if (cumulative[mid] >= r) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  }

  /** Estimated number of values strictly below `x` (or at most `x` when `inclusive`). */
  rank(x: number, inclusive = false): number {
    const { values, cumulative } = this.view();
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inclusive ? values[mid] <= x : values[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : cumulative[lo - 1];
  }

  /** A deep copy. */
  clone(): KllSketch {
    return KllSketch.fromJSON(this.toJSON());
  }

  /** Plain-data state (finite numbers only), for JSON. */
  toJSON(): KllState {
    return { k: this.k, n: this.n, levels: this.levels.map((l) => [...l]), parity: [...this.parity] };
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
    sketch.levels = state.levels.map((l) => [...l]);
    sketch.parity = [...state.parity];
    sketch.n = state.n;
    sketch.size = size;
    return sketch;
  }

  private capacity(level: number): number {
    const depth = this.levels.length - 1 - level;
    let c = this.k;
    for (let i = 0; i < depth; i++) c *= DECAY;
    return Math.max(MIN_LEVEL_CAPACITY, Math.floor(c));
  }

  private totalCapacity(): number {
    if (this.capacityCache.levels !== this.levels.length) {
      let total = 0;
      for (let h = 0; h < this.levels.length; h++) total += this.capacity(h);
      this.capacityCache = { levels: this.levels.length, total };
    }
    return this.capacityCache.total;
  }

  private compress(): void {
    while (this.size > this.totalCapacity()) {
      let h = 0;
      while (h < this.levels.length && this.levels[h].length < this.capacity(h)) h++;
      if (h === this.levels.length) h = this.levels.length - 1; // unreachable in practice; compact the top
      this.compactLevel(h);
    }
  }

  private compactLevel(h: number): void {
    if (h + 1 === this.levels.length) {
      this.levels.push([]);
      this.parity.push(0);
    }
    const items = Float64Array.from(this.levels[h]).sort(); // typed-array sort is numeric
    const start = items.length % 2; // an odd item out stays at this level
    const offset = this.parity[h];
    this.parity[h] = 1 - offset;
    const up = this.levels[h + 1];
    for (let i = start + offset; i < items.length; i += 2) up.push(items[i]);
    const promoted = (items.length - start) / 2;
    this.levels[h] = start === 1 ? [items[0]] : [];
    this.size -= promoted;
  }

  private view(): { values: Float64Array; cumulative: Float64Array } {
    if (this.sorted) return this.sorted;
    const pairs: [number, number][] = [];
    this.levels.forEach((items, h) => {
      const w = 2 ** h;
      for (const x of items) pairs.push([x, w]);
    });
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
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
