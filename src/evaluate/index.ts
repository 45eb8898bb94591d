/**
 * Evaluation with TFMA parity: metrics per split, overall and per slice, value and change thresholds, blessing,
 * stored as `evaluation` artifacts. Model-agnostic: anything with a predict function can be evaluated.
 * @module
 */
export { evaluator, evaluatorWithBaseline, evaluatorStep, evaluatorWithBaselineStep, customEvaluator } from "./steps.js";
export type { EvaluationModel, CustomEvaluatorOptions, EvaluatorStepOptions } from "./steps.js";
export { evaluateModel, type EvaluateOptions } from "./evaluate.js";
export { evaluatorParams, sliceSpecParam, thresholdParam, normalizeSlices, type EvaluatorParams } from "./params.js";
export { evaluationType, evaluationMaterializer, isEvaluation, parseEvaluation } from "./evaluation-type.js";
export { lastBlessedEvaluation, fixedBaseline, type Baseline, type BaselineSource, type LastBlessedOptions } from "./baseline.js";
export { bless } from "./thresholds.js";
export { OVERALL, slicesOf, formatValue } from "./slicing.js";
export { rocAuc, prAuc } from "./metrics/auc.js";
export { calibrationBins, histogram, EPSILON } from "./metrics/basic.js";
export { binaryMetrics, type ClassificationOptions } from "./metrics/binary.js";
export { multiclassMetrics } from "./metrics/multiclass.js";
export { regressionMetrics } from "./metrics/regression.js";
export * from "./types.js";
