/** Run comparison: `compareRuns` and its result types. @module */
export { compareRuns, type CompareSource } from "./compare.js";
export { metricDirection, bestIndexes, metricWords, type MetricDirection } from "./direction.js";
export { flattenParams, runParams } from "./flatten.js";
export { evaluationMetrics, sliceName, type SliceMetric } from "./slices.js";
export type { Comparison, ComparedRun, DiffRow, MetricRow, MetricSeries } from "./types.js";
export { runMetrics, type RunMetric } from "./run-metrics.js";
