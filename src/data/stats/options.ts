/**
 * Options of statistics generation. Defaults follow TFDV's `StatsOptions` where TFDV has the same knob.
 * @module
 */
import { KoanError } from "../../core/errors.js";

/** Options of a {@link StatisticsAccumulator}. Every field is optional. */
export interface StatsOptions {
  /** Number of most frequent values reported in `topValues` (TFDV: 20). */
  numTopValues?: number;
  /** Number of buckets of the rank histogram of string features (TFDV: 1000). */
  numRankHistogramBuckets?: number;
  /** Buckets of the standard (equal-width) histogram of numeric features (TFDV: 10). */
  numHistogramBuckets?: number;
  /** Buckets of the quantiles histogram of numeric features (TFDV: 10). */
  numQuantilesHistogramBuckets?: number;
  /** Buckets of the quantiles histogram of the number of values per example (TFDV: 10). */
  numValuesHistogramBuckets?: number;
  /**
   * Size parameter `k` of the KLL quantile sketch (default 1024). Quantiles are exact while a feature has at most
   * `k` values; beyond, rank error is roughly 1.7/k. Memory is about 3k numbers per numeric feature.
   */
  quantileSketchK?: number;
  /**
   * Distinct values of a string feature counted exactly (default 10000). Beyond, `unique` is a HyperLogLog
   * estimate (about 0.8% standard error) and value counts keep only the heavy hitters (Misra-Gries summary:
   * each reported frequency is at most `N / (maxExactDistinct + 1)` below the true one).
   */
  maxExactDistinct?: number;
  /** Register-index bits of the HyperLogLog sketch, 4..18 (default 14: 16384 registers). */
  hllPrecision?: number;
  /**
   * Count a feature present with an empty value list as missing (default false, as TFDV: present-but-empty
   * counts as present with 0 values, so `minNumValues` is 0).
   */
  emptyListIsMissing?: boolean;
}

/** {@link StatsOptions} with every default filled in. */
export type ResolvedStatsOptions = Readonly<Required<StatsOptions>>;

/** The defaults. */
export const DEFAULT_STATS_OPTIONS: ResolvedStatsOptions = Object.freeze({
  numTopValues: 20,
  numRankHistogramBuckets: 1000,
  numHistogramBuckets: 10,
  numQuantilesHistogramBuckets: 10,
  numValuesHistogramBuckets: 10,
  quantileSketchK: 1024,
  maxExactDistinct: 10000,
  hllPrecision: 14,
  emptyListIsMissing: false,
});

const LIMITS: Record<Exclude<keyof StatsOptions, "emptyListIsMissing">, readonly [number, number]> = {
  numTopValues: [0, 1_000_000],
  numRankHistogramBuckets: [0, 1_000_000],
  numHistogramBuckets: [1, 10_000],
  numQuantilesHistogramBuckets: [1, 10_000],
  numValuesHistogramBuckets: [1, 10_000],
  quantileSketchK: [8, 1 << 20],
  maxExactDistinct: [1, 1 << 26],
  hllPrecision: [4, 18],
};

/**
 * Fill in defaults and check ranges.
 * @throws KoanError `DATA_INVALID` for a value out of range or not an integer.
 */
export function resolveStatsOptions(options: StatsOptions = {}): ResolvedStatsOptions {
  const out: Record<string, number | boolean> = { ...DEFAULT_STATS_OPTIONS };
  for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
    const v = (options as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      throw new KoanError("DATA_INVALID", `statistics option ${key} must be an integer in [${lo}, ${hi}], got ${String(v)}`, {
        details: { option: key, value: v },
      });
    }
    out[key] = v;
  }
  if (options.emptyListIsMissing !== undefined) {
    if (typeof options.emptyListIsMissing !== "boolean") {
      throw new KoanError("DATA_INVALID", "statistics option emptyListIsMissing must be a boolean");
    }
    out.emptyListIsMissing = options.emptyListIsMissing;
  }
  return Object.freeze(out) as unknown as ResolvedStatsOptions;
}

/** True when two resolved option sets are identical (required to merge accumulators). */
export function sameStatsOptions(a: ResolvedStatsOptions, b: ResolvedStatsOptions): boolean {
  return (Object.keys(DEFAULT_STATS_OPTIONS) as (keyof ResolvedStatsOptions)[]).every((k) => a[k] === b[k]);
}
