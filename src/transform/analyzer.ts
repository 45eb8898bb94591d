/**
 * Analyzers: one full pass over the training split, mergeable across shards (each shard can be analyzed on its
 * own, and the states merged in shard order). One {@link Analyzer} summarises one value stream: count and
 * missing always; for numbers mean and variance (Welford, merged with Chan's formula), min and max; on demand a
 * KLL quantile sketch (`src/data/stats/kll.ts`) and exact-then-heavy-hitter value counts (for vocabularies and
 * modes, `src/data/stats/value-counter.ts`).
 * @module
 */
import { KllSketch, type KllState } from "../data/stats/kll.js";
import { Moments, type MomentsState } from "../data/stats/moments.js";
import { ValueCounter, type ValueCounterState } from "../data/stats/value-counter.js";

/** Size of the KLL sketches (exact up to this many values; rank error about 1.65/k beyond). */
export const KLL_K = 1024;
/** Distinct values counted exactly; beyond, the counts keep the heavy hitters (Misra-Gries). */
export const MAX_EXACT_VALUES = 200_000;
const HLL_PRECISION = 12;

/** What an analyzer computes beyond count/missing. */
export interface AnalyzerNeeds {
  /** Mean, variance, min, max of numbers. */
  readonly numeric: boolean;
  /** Quantiles (KLL). */
  readonly quantiles: boolean;
  /** Value counts (of strings, or of numbers as text). */
  readonly counts: boolean;
}

/** JSON form of an {@link Analyzer}. */
export interface AnalyzerState {
  readonly count: number;
  readonly missing: number;
  readonly moments: MomentsState | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly kll: KllState | null;
  readonly counts: ValueCounterState | null;
}

/**
 * A mergeable summary of one stream of values.
 * @example
 * const a = new Analyzer({ numeric: true, quantiles: true, counts: false });
 * [3, 1, 2].forEach((x) => a.addNumber(x));
 * a.addMissing();
 * a.moments?.mean; // 2
 */
export class Analyzer {
  count = 0;
  missing = 0;
  readonly moments: Moments | null;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly kll: KllSketch | null;
  readonly counter: ValueCounter | null;

  constructor(readonly needs: AnalyzerNeeds) {
    this.moments = needs.numeric ? new Moments() : null;
    this.kll = needs.quantiles ? new KllSketch(KLL_K) : null;
    this.counter = needs.counts ? new ValueCounter(MAX_EXACT_VALUES, HLL_PRECISION) : null;
  }

  /** Count a missing value. */
  addMissing(): void {
    this.missing++;
  }

  /** Add a finite number. */
  addNumber(x: number): void {
    this.count++;
    if (this.moments) {
      this.moments.add(x);
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
    this.kll?.add(x);
    this.counter?.add(String(x));
  }

  /** Add a string. */
  addString(s: string): void {
    this.count++;
    this.counter?.add(s);
  }

  /** Fold another analyzer (same needs) into this one. */
  merge(other: Analyzer): void {
    this.count += other.count;
    this.missing += other.missing;
    if (this.moments && other.moments) {
      this.moments.merge(other.moments.toJSON());
      if (other.min < this.min) this.min = other.min;
      if (other.max > this.max) this.max = other.max;
    }
    if (this.kll && other.kll) this.kll.merge(other.kll);
    if (this.counter && other.counter) this.counter.merge(other.counter);
  }

  /** Value counts, most frequent first, ties by value (code unit order). */
  sortedCounts(): [string, number][] {
    if (!this.counter) return [];
    return [...this.counter.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Plain-data state. */
  toJSON(): AnalyzerState {
    const numeric = this.moments !== null && this.count > 0;
    return {
      count: this.count,
      missing: this.missing,
      moments: this.moments ? this.moments.toJSON() : null,
      min: numeric ? this.min : null,
      max: numeric ? this.max : null,
      kll: this.kll ? this.kll.toJSON() : null,
      counts: this.counter ? this.counter.toJSON() : null,
    };
  }

  /** Rebuild from {@link Analyzer.toJSON} output. */
  static fromJSON(state: AnalyzerState): Analyzer {
    const a = new Analyzer({ numeric: state.moments !== null, quantiles: state.kll !== null, counts: state.counts !== null });
    a.count = state.count;
    a.missing = state.missing;
    if (state.moments) a.moments?.merge(state.moments);
    if (state.min !== null) a.min = state.min;
    if (state.max !== null) a.max = state.max;
    if (state.kll) a.kll?.merge(KllSketch.fromJSON(state.kll));
    if (state.counts) a.counter?.merge(ValueCounter.fromJSON(state.counts, MAX_EXACT_VALUES, HLL_PRECISION));
    return a;
  }
}
