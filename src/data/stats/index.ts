/**
 * Dataset statistics (TensorFlow Data Validation parity): a streaming, mergeable accumulator over Examples,
 * plain-data results mirroring `DatasetFeatureStatistics`, and binary interop with TFDV's `FeatureStats.pb`.
 *
 * Importing this module does not load protobufjs; the binary functions load it on first call.
 * @example
 * ```ts
 * import { StatisticsAccumulator } from "koan/data/stats";
 * const acc = new StatisticsAccumulator();
 * for (const ex of examples) acc.add(ex);
 * const stats = acc.finish({ name: "train" });
 * ```
 * @module
 */
export { StatisticsAccumulator } from "./accumulator.js";
export { computeStatistics } from "./compute.js";
export { encodeStatisticsList, decodeStatisticsList } from "./binary.js";
export { DEFAULT_STATS_OPTIONS, resolveStatsOptions, type StatsOptions, type ResolvedStatsOptions } from "./options.js";
export { ACCUMULATOR_STATE_FORMAT, ACCUMULATOR_STATE_VERSION, type AccumulatorState } from "./state.js";
export type { FeatureState, NumericState, StringState } from "./feature-accumulator.js";
export type { KllState } from "./kll.js";
export type { HllState } from "./hll.js";
export type { ValueCounterState } from "./value-counter.js";
export type { MomentsState } from "./moments.js";
export { KllSketch } from "./kll.js";
export { HyperLogLog } from "./hll.js";
export { INVALID_UTF8_LABEL } from "./finish.js";
export { compareCodePoints, commonStatsOf, findFeatureStats } from "./order.js";
export type * from "./types.js";
export { binaryKeyOfText, type StatsColumn, type NumericStatsColumn, type BytesStatsColumn } from "./columns.js";
