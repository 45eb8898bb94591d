/**
 * The optimized KLL sketch (bulk adds, branch-free sort and merges) and the numeric statistics built on it against
 * `ReferenceKllSketch`: a verbatim copy of src/data/stats/kll.ts as it was before that work (the class only
 * renamed). Every observable state must be identical: `toJSON()` (levels with their item order, parity, n),
 * quantiles and ranks, for any sequence of adds, bulk adds, repeated adds, merges and JSON round trips; and the
 * numeric state of a feature (`NumericPart`, `FeatureAccumulator`) must be today's, value by value.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KoanError } from "../../src/core/errors.js";
import { fixZeroOrder, mergeSortedRuns, sortFloat64Prefix } from "../../src/data/stats/float-order.js";
import { FeatureAccumulator } from "../../src/data/stats/feature-accumulator.js";
import { KllSketch, type KllState } from "../../src/data/stats/kll.js";
import { Moments } from "../../src/data/stats/moments.js";
import { NumericPart } from "../../src/data/stats/numeric-part.js";
import { resolveStatsOptions } from "../../src/data/stats/options.js";
import type { NumericStatsColumn } from "../../src/data/stats/columns.js";

// ---------------------------------------------------------------------------------------------------------------
// Reference: today's KllSketch, copied before the optimization (do not edit: it defines the expected states).
// ---------------------------------------------------------------------------------------------------------------

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
 * const s = new ReferenceKllSketch(200);
 * for (let i = 1; i <= 100; i++) s.add(i);
 * s.quantile(1, 2); // 50 (exact: at most k values)
 */
class ReferenceKllSketch {
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
  merge(other: ReferenceKllSketch): void {
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
  clone(): ReferenceKllSketch {
    return ReferenceKllSketch.fromJSON(this.toJSON());
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
  static fromJSON(state: KllState): ReferenceKllSketch {
    const bad = (why: string): never => {
      throw new KoanError("FORMAT_INVALID", `invalid KLL sketch state: ${why}`);
    };
    if (typeof state !== "object" || state === null) bad("not an object");
    const sketch = new ReferenceKllSketch(state.k);
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

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** Seeded PRNG (mulberry32): deterministic sequences on every machine. */
function rngOf(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [0, -0, 1, -1, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300, 2 ** 53, -(2 ** 53), 0.1];

/** Value generators: index i of n, with a seeded random source. */
const GENERATORS: Record<string, (i: number, n: number, r: () => number) => number> = {
  uniform: (_i, _n, r) => r() * 2000 - 1000,
  duplicates: (_i, _n, r) => Math.floor(r() * 4),
  zeros: (_i, _n, r) => [-0, 0, -0, 0, 1, -1, 5e-324][Math.floor(r() * 7)] as number,
  large: (_i, _n, r) => (r() < 0.5 ? (SPECIAL[Math.floor(r() * SPECIAL.length)] as number) : (r() - 0.5) * 1e308),
  ascending: (i) => i,
  descending: (i, n) => n - i,
  sawtooth: (i) => (i % 37) - 18,
  runs: (i, _n, r) => (Math.floor(i / 50) % 2 === 0 ? i : r() * 100),
  equal: () => 7,
  float32: (_i, _n, r) => Math.fround(r() * 10 - 5),
  integers: (_i, _n, r) => Math.floor(r() * 1000) - 500,
};

function sequence(gen: string, n: number, seed: number): Float64Array {
  const r = rngOf(seed);
  const g = GENERATORS[gen] as (i: number, n: number, r: () => number) => number;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = g(i, n, r);
  return out;
}

/** The optimized sketch and the reference, driven by the same operations. */
class Twin {
  constructor(
    public neu: KllSketch,
    public ref: ReferenceKllSketch,
  ) {}
  static of(k: number): Twin {
    return new Twin(new KllSketch(k), new ReferenceKllSketch(k));
  }
  add(v: number): void {
    this.neu.add(v);
    this.ref.add(v);
  }
  addMany(values: Float64Array, start: number, end: number): void {
    this.neu.addMany(values, start, end);
    for (let i = start; i < end; i++) this.ref.add(values[i] as number);
  }
  addRepeated(v: number, count: number): void {
    this.neu.addRepeated(v, count);
    this.ref.addRepeated(v, count);
  }
  merge(o: Twin): void {
    this.neu.merge(o.neu);
    this.ref.merge(o.ref);
  }
  /** Round trip both through their state (as objects, or as JSON text, which turns -0 into 0 on both). */
  roundTrip(text: boolean): void {
    const a = this.neu.toJSON();
    const b = this.ref.toJSON();
    this.neu = KllSketch.fromJSON(text ? (JSON.parse(JSON.stringify(a)) as KllState) : a);
    this.ref = ReferenceKllSketch.fromJSON(text ? (JSON.parse(JSON.stringify(b)) as KllState) : b);
  }
  check(label: string): void {
    const { neu, ref } = this;
    assert.deepStrictEqual(neu.toJSON(), ref.toJSON(), `${label}: toJSON`);
    assert.equal(neu.count, ref.count, `${label}: count`);
    assert.equal(neu.exact, ref.exact, `${label}: exact`);
    for (let i = 0; i <= 16; i++) assert.equal(neu.quantile(i, 16), ref.quantile(i, 16), `${label}: quantile ${i}/16`);
    assert.equal(neu.quantile(1, 3), ref.quantile(1, 3), `${label}: quantile 1/3`);
    assert.equal(neu.valueAtRank(neu.count), ref.valueAtRank(ref.count), `${label}: max rank`);
    for (const x of [-1e300, -1, -0, 0, 0.5, 3, 7, 100, 1e300]) {
      assert.equal(neu.rank(x), ref.rank(x), `${label}: rank(${x})`);
      assert.equal(neu.rank(x, true), ref.rank(x, true), `${label}: rank(${x}, inclusive)`);
    }
  }
}

const SMALL_KS = [8, 9, 13, 32, 64];

function sizesFor(k: number): number[] {
  return [0, 1, 2, 7, k - 1, k, k + 1, 2 * k + 3, 7 * k + 5, 60 * k + 11];
}

// ---------------------------------------------------------------------------------------------------------------
// Sorting and merging primitives
// ---------------------------------------------------------------------------------------------------------------

describe("float-order primitives", () => {
  it("sortFloat64Prefix gives exactly the order of Float64Array.prototype.sort (incl. -0 before +0)", () => {
    for (const gen of Object.keys(GENERATORS)) {
      for (const n of [0, 1, 2, 3, 5, 16, 17, 33, 100, 265, 1000, 5000]) {
        const values = sequence(gen, n, n * 31 + gen.length);
        const expected = Float64Array.from(values).sort();
        const got = new Float64Array(n + 3).fill(99); // a prefix of a longer buffer: the tail stays
        got.set(values);
        sortFloat64Prefix(got, n);
        assert.deepStrictEqual(Array.from(got.subarray(0, n)), Array.from(expected), `${gen} n=${n}`);
        assert.deepStrictEqual(Array.from(got.subarray(n)), [99, 99, 99], `${gen} n=${n}: tail untouched`);
      }
    }
  });

  it("sortFloat64Prefix stays correct on inputs that defeat median-of-three pivots", () => {
    // Organ pipe and interleaved patterns, many sizes: the depth budget hands bad cases to the runtime's sort.
    for (const n of [50, 257, 1031, 4099]) {
      const pipe = Float64Array.from({ length: n }, (_, i) => (i < n / 2 ? i : n - i));
      const zig = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : -i) * (i % 3 === 0 ? -0 : 1));
      for (const a of [pipe, zig]) {
        const expected = Float64Array.from(a).sort();
        const got = Float64Array.from(a);
        sortFloat64Prefix(got, n);
        assert.deepStrictEqual(Array.from(got), Array.from(expected));
      }
    }
  });

  it("mergeSortedRuns merges any two sorted runs into the sorted union", () => {
    const r = rngOf(7);
    for (let trial = 0; trial < 400; trial++) {
      const gen = Object.keys(GENERATORS)[trial % Object.keys(GENERATORS).length] as string;
      const a = sequence(gen, Math.floor(r() * 40), trial).sort();
      const b = sequence(gen, Math.floor(r() * 300), trial + 1000).sort();
      const src = new Float64Array(3 + a.length + b.length);
      src.set(a, 3);
      src.set(b, 3 + a.length);
      const dst = new Float64Array(a.length + b.length + 5).fill(42);
      mergeSortedRuns(src, 3, 3 + a.length, src.length, dst, 2);
      const expected = Float64Array.from([...a, ...b]).sort();
      assert.deepStrictEqual(Array.from(dst.subarray(2, 2 + expected.length)), Array.from(expected), `trial ${trial} (${gen})`);
      assert.deepStrictEqual([dst[0], dst[1], dst[dst.length - 1]], [42, 42, 42], `trial ${trial}: outside the range`);
    }
  });

  it("fixZeroOrder orders only the zeros", () => {
    const b = Float64Array.of(-2, 0, -0, 0, -0, 3);
    fixZeroOrder(b, 0, b.length);
    assert.deepStrictEqual(Array.from(b), [-2, -0, -0, 0, 0, 3]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// KllSketch against the reference
// ---------------------------------------------------------------------------------------------------------------

describe("KllSketch is state-for-state the reference sketch", () => {
  it("single adds: every generator, small k (many levels) and sizes below and far above k", () => {
    for (const k of SMALL_KS) {
      for (const gen of Object.keys(GENERATORS)) {
        for (const n of sizesFor(k)) {
          const values = sequence(gen, n, k * 1000 + n);
          const t = Twin.of(k);
          for (let i = 0; i < n; i++) {
            t.add(values[i] as number);
            if (i === (n >> 1)) t.check(`k=${k} ${gen} n=${n} halfway`); // mid-stream answers (cache invalidation)
          }
          t.check(`k=${k} ${gen} n=${n}`);
        }
      }
    }
  });

  it("bulk adds in random chunks (incl. offsets into a larger array) equal one add per value", () => {
    const r = rngOf(11);
    for (const k of [...SMALL_KS, 200]) {
      for (const gen of Object.keys(GENERATORS)) {
        const n = 40 * k + 17;
        const values = sequence(gen, n, k + gen.length * 7);
        const t = Twin.of(k);
        let i = 0;
        while (i < n) {
          const m = Math.min(n - i, Math.floor(r() * 3 * k));
          t.addMany(values, i, i + m);
          i += m;
        }
        t.check(`k=${k} ${gen} chunks`);
        const whole = Twin.of(k);
        whole.addMany(values, 0, n);
        whole.check(`k=${k} ${gen} one chunk`);
      }
    }
  });

  it("large k: 1024 with 100k values (the statistics default)", () => {
    for (const gen of ["uniform", "integers", "ascending", "zeros"]) {
      const values = sequence(gen, 100_000, 5);
      const t = Twin.of(1024);
      for (let i = 0; i < values.length; i += 777) t.addMany(values, i, Math.min(values.length, i + 777));
      t.check(`k=1024 ${gen}`);
    }
  });

  it("mixed adds, repeated adds and round trips (object and JSON text) in random order", () => {
    const r = rngOf(23);
    for (const k of SMALL_KS) {
      for (const gen of Object.keys(GENERATORS)) {
        const values = sequence(gen, 30 * k, k * 7 + gen.length);
        const t = Twin.of(k);
        let i = 0;
        while (i < values.length) {
          const op = r();
          if (op < 0.3) t.add(values[i++] as number);
          else if (op < 0.6) {
            const m = Math.min(values.length - i, Math.floor(r() * 2 * k));
            t.addMany(values, i, i + m);
            i += m;
          } else if (op < 0.9) t.addRepeated(values[i++] as number, 1 + Math.floor(r() * 2 * k));
          else t.roundTrip(op > 0.95);
        }
        t.check(`k=${k} ${gen} mixed`);
      }
    }
  });

  it("a sketch of one repeated value (compacted by counts only) until other values arrive, by every path", () => {
    const r = rngOf(29);
    for (const k of [8, 13, 200]) {
      for (const same of [1, 0, -0, 2.5]) {
        for (const other of [same === 0 ? -0 : 0, 3, -1e300]) {
          const t = Twin.of(k);
          t.addRepeated(same, 50 * k + 3); // many levels, all of `same`
          t.check(`k=${k} ${same} repeated`);
          t.add(same);
          t.addMany(new Float64Array(7 * k).fill(same), 0, 7 * k);
          t.roundTrip(false); // fromJSON finds it uniform again
          t.addRepeated(same, 11 * k);
          t.check(`k=${k} ${same} uniform`);
          const u = Twin.of(k);
          u.addRepeated(same, 9 * k);
          t.merge(u); // uniform into uniform
          t.check(`k=${k} ${same} merged`);
          const e = Twin.of(k);
          e.merge(u); // into an empty sketch, which then holds only `same`
          e.addRepeated(other, 5 * k);
          e.check(`k=${k} ${same} merged into empty, then ${other}`);
          for (let i = 0; i < 20 * k; i++) (r() < 0.5 ? t.add(other) : t.addRepeated(r() < 0.5 ? same : other, 1 + Math.floor(r() * 5)));
          t.check(`k=${k} ${same} then ${other}`);
          const v = Twin.of(k);
          v.addRepeated(same, 3 * k);
          v.add(other);
          const w = Twin.of(k);
          w.addRepeated(same, 30 * k);
          w.merge(v); // a uniform sketch takes in one that is not
          w.addRepeated(same, 30 * k);
          w.check(`k=${k} ${same} merged with ${other}`);
        }
      }
    }
  });

  it("merges in different orders and shapes, including a sketch with itself", () => {
    const r = rngOf(31);
    for (const k of [8, 13, 64]) {
      for (const gen of Object.keys(GENERATORS)) {
        const parts = Array.from({ length: 5 }, (_, p) => sequence(gen, Math.floor(r() * 25 * k), p * 97 + k));
        const build = (p: number): Twin => {
          const t = Twin.of(k);
          const v = parts[p] as Float64Array;
          for (let i = 0; i < v.length; i += 5) t.addMany(v, i, Math.min(v.length, i + 5));
          return t;
        };
        const forward = build(0);
        for (let p = 1; p < 5; p++) forward.merge(build(p));
        forward.check(`k=${k} ${gen} merged forward`);
        const backward = build(4);
        for (let p = 3; p >= 0; p--) backward.merge(build(p));
        backward.check(`k=${k} ${gen} merged backward`);
        const left = build(0);
        left.merge(build(1));
        const right = build(2);
        right.merge(build(3));
        right.merge(build(4));
        left.merge(right);
        left.check(`k=${k} ${gen} merged as a tree`);
        left.merge(left);
        left.check(`k=${k} ${gen} merged with itself`);
        left.merge(Twin.of(k));
        left.check(`k=${k} ${gen} merged with an empty sketch`);
        left.roundTrip(false);
        for (let i = 0; i < 3 * k; i++) left.add(i % 5);
        left.check(`k=${k} ${gen} adds after merges and a round trip`);
      }
    }
  });

  it("fromJSON keeps rejecting inconsistent states", () => {
    assert.throws(() => KllSketch.fromJSON({ k: 8, n: 3, levels: [[1, 2]], parity: [0] }), KoanError);
    assert.throws(() => KllSketch.fromJSON({ k: 8, n: 1, levels: [[Number.NaN]], parity: [0] }), KoanError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Numeric statistics: NumericPart and FeatureAccumulator against a reference built on the reference sketch
// ---------------------------------------------------------------------------------------------------------------

/** Today's NumericPart.add and Moments.add (verbatim logic), on the reference sketch. */
class ReferenceNumeric {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  numZeros = 0;
  numNan = 0;
  numPosInf = 0;
  numNegInf = 0;
  sketch: ReferenceKllSketch;
  constructor(k: number) {
    this.sketch = new ReferenceKllSketch(k);
  }
  add(x: number): void {
    if (Number.isNaN(x)) {
      this.numNan++;
    } else if (x === Number.POSITIVE_INFINITY) {
      this.numPosInf++;
    } else if (x === Number.NEGATIVE_INFINITY) {
      this.numNegInf++;
    } else {
      if (x === 0) this.numZeros++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.count++;
      const d = x - this.mean;
      this.mean += d / this.count;
      this.m2 += d * (x - this.mean);
      this.sketch.add(x);
    }
  }
  toJSON(): unknown {
    const seen = this.count > 0;
    return {
      moments: { count: this.count, mean: this.mean, m2: this.m2 },
      min: seen ? this.min : null,
      max: seen ? this.max : null,
      numZeros: this.numZeros,
      numNan: this.numNan,
      numPosInf: this.numPosInf,
      numNegInf: this.numNegInf,
      sketch: this.sketch.toJSON(),
    };
  }
}

/** Values with NaN, ±Infinity, float32 overflow (1e39 rounds to Infinity), -0 and ordinary numbers. */
function numericValues(n: number, seed: number): Float64Array {
  const r = rngOf(seed);
  const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e39, -1e39, -0, 0, 3.4e38];
  return Float64Array.from({ length: n }, () => (r() < 0.1 ? (special[Math.floor(r() * special.length)] as number) : (r() - 0.4) * 1e4));
}

describe("numeric statistics are state-for-state today's", () => {
  it("Moments.addMany is bit for bit one add per value", () => {
    const v = sequence("large", 5000, 3).map((x) => (Number.isFinite(x) ? x : 0));
    const one = new Moments();
    for (const x of v) one.add(x);
    const bulk = new Moments();
    bulk.addMany(v, 0, 2000);
    bulk.addMany(v, 2000, v.length);
    assert.deepStrictEqual(bulk.toJSON(), one.toJSON());
  });

  it("NumericPart.add and addStrided (steps, NULL masks, float32 rounding) match the reference", () => {
    const r = rngOf(41);
    for (const k of [8, 32, 1024]) {
      for (const float of [false, true]) {
        const values = numericValues(20 * k + 13, k + (float ? 1 : 0));
        const valid = Uint8Array.from(values, () => (r() < 0.8 ? 1 : 0));
        const single = new NumericPart(k);
        const ref = new ReferenceNumeric(k);
        for (const x of values) {
          const y = float ? Math.fround(x) : x;
          single.add(y);
          ref.add(y);
        }
        assert.deepStrictEqual(single.toJSON(), ref.toJSON(), `k=${k} float=${float}: add`);
        for (const step of [1, 3, 8]) {
          for (const mask of [null, valid]) {
            const bulk = new NumericPart(k);
            const expected = new ReferenceNumeric(k);
            const chunk = 200;
            for (let base = 0; base < values.length; base += chunk) {
              const end = Math.min(values.length, base + chunk);
              const first = base + (base % step);
              bulk.addStrided(values, first, end, step, mask, float);
              for (let i = first; i < end; i += step) if (mask === null || mask[i] === 1) expected.add(float ? Math.fround(values[i] as number) : (values[i] as number));
            }
            assert.deepStrictEqual(bulk.toJSON(), expected.toJSON(), `k=${k} float=${float} step=${step} mask=${mask !== null}`);
          }
        }
      }
    }
  });

  it("FeatureAccumulator.addColumn equals one add per row, and today's numeric state", () => {
    const r = rngOf(53);
    for (const emptyListIsMissing of [false, true]) {
      const options = resolveStatsOptions({ quantileSketchK: 16, emptyListIsMissing });
      for (const kind of ["float", "int64"] as const) {
        const rows = 3000;
        const raw = numericValues(rows, rows + kind.length);
        // int64 values are what a bigint column holds: integers (no -0), here within ±2^53 so rows and columns agree.
        const values = kind === "int64" ? raw.map((x) => (Number.isFinite(x) && Math.abs(x) < 2 ** 53 ? Math.trunc(x) + 0 : 7)) : raw;
        const valid = Uint8Array.from(values, () => (r() < 0.85 ? 1 : 0));
        for (const mask of [null, valid]) {
          for (const step of [1, 8]) {
            const column: NumericStatsColumn = { name: "x", kind, values, valid: mask };
            const columnar = new FeatureAccumulator("x", kind, options);
            const rowwise = new FeatureAccumulator("x", kind, options);
            const ref = new ReferenceNumeric(16);
            for (let base = 0; base < rows; base += 512) {
              const end = Math.min(rows, base + 512);
              const first = base + ((step - (base % step)) % step);
              columnar.addColumn(column, end, first, step);
              for (let row = first; row < end; row += step) {
                const isNull = mask !== null && mask[row] !== 1;
                if (isNull && emptyListIsMissing) continue;
                const v = values[row] as number;
                if (kind === "float") rowwise.add({ kind, values: isNull ? new Float32Array(0) : Float32Array.of(v) });
                else rowwise.add({ kind, values: isNull ? new BigInt64Array(0) : BigInt64Array.of(BigInt(v)) });
                if (!isNull) ref.add(kind === "float" ? Math.fround(v) : v);
              }
            }
            const label = `${kind} step=${step} mask=${mask !== null} emptyListIsMissing=${emptyListIsMissing}`;
            assert.deepStrictEqual(columnar.toJSON(), rowwise.toJSON(), `${label}: columnar vs rows`);
            assert.deepStrictEqual(columnar.toJSON().numeric, ref.toJSON(), `${label}: numeric state vs reference`);
          }
        }
      }
    }
  });

  it("multi-valued float features (bulk row path) equal their values one by one", () => {
    const options = resolveStatsOptions({ quantileSketchK: 8 });
    const a = new FeatureAccumulator("x", "float", options);
    const ref = new ReferenceNumeric(8);
    const values = Float32Array.from(numericValues(400, 9));
    for (let i = 0; i < values.length; i += 37) {
      const part = values.subarray(i, Math.min(values.length, i + 37));
      a.add({ kind: "float", values: part });
      for (const v of part) ref.add(v);
    }
    assert.deepStrictEqual(a.toJSON().numeric, ref.toJSON());
  });

  it("a kind conflict in a numeric column leaves the accumulator untouched", () => {
    const options = resolveStatsOptions({});
    const acc = new FeatureAccumulator("x", "int64", options);
    acc.addColumn({ name: "x", kind: "int64", values: [1, 2, 3], valid: null }, 3, 0, 1);
    const before = JSON.stringify(acc.toJSON());
    assert.throws(() => acc.addColumn({ name: "x", kind: "float", values: [1, 2], valid: Uint8Array.of(0, 1) }, 2, 0, 1), KoanError);
    assert.equal(JSON.stringify(acc.toJSON()), before);
  });
});
