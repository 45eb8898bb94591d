/**
 * Validation of statistics against a schema, drift and skew detection (TensorFlow Data Validation parity).
 * @example
 * ```ts
 * import { validateStatistics } from "koan/data/anomalies";
 * const anomalies = validateStatistics(stats, schema, { previous: lastWeek });
 * ```
 * @module
 */
export { validateStatistics, validateStatisticsDetailed, type ValidationResult } from "./validate.js";
export {
  lInfinityDistance,
  normalizedAbsoluteDifference,
  jensenShannonDivergenceOfCounts,
  valueCountsOf,
  type DistanceResult,
} from "./distance.js";
export { histogramJensenShannonDivergence, alignHistograms } from "./histogram-jsd.js";
export { featureJensenShannonDivergence } from "./comparators.js";
export type * from "./types.js";
