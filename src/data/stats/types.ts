/**
 * Dataset statistics as plain data, mirroring `tensorflow.metadata.v0.DatasetFeatureStatistics`
 * (field names are the proto's, in lowerCamelCase as in the proto3 JSON mapping).
 *
 * Counts are JavaScript numbers (exact up to 2^53). Fields the proto leaves at their default are still present
 * here (0, empty lists), so consumers never have to guess. Features are sorted by name (code-point order).
 * @module
 */

/** `FeatureNameStatistics.Type`: the type of a feature's values as seen in the data. */
export type StatsFeatureType = "INT" | "FLOAT" | "STRING" | "BYTES" | "STRUCT";

/** One bucket of a {@link Histogram}: `sampleCount` values in `[lowValue, highValue]`. */
export interface HistogramBucket {
  readonly lowValue: number;
  readonly highValue: number;
  /** May be fractional (quantile buckets split the count evenly; sketches weight their items). */
  readonly sampleCount: number;
}

/** `Histogram.HistogramType`. */
export type HistogramType = "STANDARD" | "QUANTILES";

/**
 * A histogram: `STANDARD` has equal-width buckets between min and max, `QUANTILES` has buckets holding an equal
 * share of the values, bounded by quantiles.
 */
export interface Histogram {
  readonly type: HistogramType;
  /** Number of NaN values (not in any bucket). */
  readonly numNan: number;
  /** Number of values that could not be bucketed (unused by Koan, kept for decoded statistics). */
  readonly numUndefined: number;
  readonly buckets: readonly HistogramBucket[];
  /** Optional label of the histogram. */
  readonly name?: string;
}

/** One bucket of a {@link RankHistogram}: the value at ranks `lowRank..highRank` (0-based) and its count. */
export interface RankHistogramBucket {
  readonly lowRank: number;
  readonly highRank: number;
  readonly label: string;
  readonly sampleCount: number;
}

/** The most frequent values, most frequent first. */
export interface RankHistogram {
  readonly buckets: readonly RankHistogramBucket[];
  readonly name?: string;
}

/** Presence and valency, shared by every kind of feature. */
export interface CommonStatistics {
  /** Examples in which the feature is present (by default including those where its value list is empty). */
  readonly numNonMissing: number;
  /** Examples in which the feature is absent: `numExamples - numNonMissing`. */
  readonly numMissing: number;
  /** Fewest values in one example where present (0 when present with an empty list). */
  readonly minNumValues: number;
  readonly maxNumValues: number;
  /** `totNumValues / numNonMissing` (0 when never present). */
  readonly avgNumValues: number;
  /** Number of values over all examples. */
  readonly totNumValues: number;
  /** Quantiles of the number of values per present example. */
  readonly numValuesHistogram?: Histogram;
}

/** Statistics of an INT or FLOAT feature. NaN values are excluded from every figure except `numNan`. */
export interface NumericStatistics {
  readonly commonStats: CommonStatistics;
  /** Mean of the non-NaN values; ±Infinity when infinite values of one sign are present, NaN for both. */
  readonly mean: number;
  /** Population standard deviation (divides by n), NaN when infinite values are present. */
  readonly stdDev: number;
  readonly numZeros: number;
  readonly min: number;
  /** An actual value: the lower median (rank ⌈n/2⌉). */
  readonly median: number;
  readonly max: number;
  /** A `STANDARD` histogram and a `QUANTILES` histogram (empty when the feature has no values). */
  readonly histograms: readonly Histogram[];
}

/** A value and its number of occurrences. */
export interface FreqAndValue {
  readonly value: string;
  readonly frequency: number;
}

/** Statistics of a STRING (bytes) feature. */
export interface StringStatistics {
  readonly commonStats: CommonStatistics;
  /** Number of distinct values (an estimate once the exact bound is exceeded, see `StatsOptions`). */
  readonly unique: number;
  /** The most frequent values, most frequent first; ties by value, descending (as TFDV). */
  readonly topValues: readonly FreqAndValue[];
  /** Mean length in bytes of the values. */
  readonly avgLength: number;
  readonly rankHistogram?: RankHistogram;
  /** Values that are not valid UTF-8 (shown as `__BYTES_VALUE__` in top values). */
  readonly invalidUtf8Count: number;
}

/** Statistics of a BYTES feature (raw bytes not interpreted as strings; produced by TFDV, read by Koan). */
export interface BytesStatistics {
  readonly commonStats: CommonStatistics;
  readonly unique: number;
  readonly avgNumBytes: number;
  readonly minNumBytes: number;
  readonly maxNumBytes: number;
}

/** Statistics of a STRUCT feature (read from TFDV output only). */
export interface StructStatistics {
  readonly commonStats: CommonStatistics;
}

/**
 * Statistics of one feature. Exactly one of `numStats`, `stringStats`, `bytesStats`, `structStats` is set
 * (TFDV may pair `type: "INT"` with `stringStats` for categorical integers).
 */
export interface FeatureStatistics {
  /** Feature name; for nested TFDV paths, the steps joined with `.`. */
  readonly name: string;
  readonly type: StatsFeatureType;
  readonly numStats?: NumericStatistics;
  readonly stringStats?: StringStatistics;
  readonly bytesStats?: BytesStatistics;
  readonly structStats?: StructStatistics;
}

/** Statistics of one dataset (one split of one span). */
export interface DatasetStatistics {
  /** Dataset name, e.g. the split (`""` when unnamed). */
  readonly name: string;
  readonly numExamples: number;
  /** Sorted by name. */
  readonly features: readonly FeatureStatistics[];
}
