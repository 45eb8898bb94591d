/**
 * The fitted transform (tf.transform parity), usable without the runner: configuration, feature plans,
 * analyzers, fitting, the `transform` artifact, and applying it to Examples, rows and dense vectors.
 * @module
 */
export { preprocessParams, opSchema, fillSchema, featureConfigSchema, crossSchema, labelSchema, expandOp, OP_SHORTHANDS } from "./config.js";
export type { PreprocessConfig, PreprocessConfigInput, OpConfig, OpLike, FeatureConfig, FillConfig, CrossConfig } from "./config.js";
export { TRANSFORM_FORMAT, TRANSFORM_FORMAT_VERSION } from "./format.js";
export type {
  FittedTransform,
  FittedFeature,
  FittedOp,
  FittedCross,
  FittedCustom,
  FittedLabel,
  AnalyzerSummary,
  RawInput,
  CategoricalOutput,
  OutputDtype,
} from "./format.js";
export { resolvePlan, type Plan, type PlanInputs, type PlannedFeature, type PlannedCross, type PlannedCustom } from "./plan.js";
export { Analyzer, type AnalyzerNeeds, type AnalyzerState, KLL_K, MAX_EXACT_VALUES } from "./analyzer.js";
export { TransformAnalyzer, fitTransform, type TransformAnalyzerState, type RawGetter } from "./fit.js";
export { CompiledTransform, compileTransform, applyTransform, transformToVector, withRow } from "./apply.js";
export type { ApplyOptions, RowLocation, OutputValue, TransformedRow } from "./apply.js";
export { featureSpec, denseBatches, denseMatrix, type FeatureSpec, type ModelInput, type LabelSpec, type DenseBatch } from "./feature-spec.js";
export { transformType, transformMaterializer, parseTransform, serializeTransform, saveTransform, loadTransform, transformProblem } from "./artifact.js";
export { transformedSample, type SampledRow } from "./sample.js";
export { functionSource, functionHash, analyzerOutputs, type CustomTransform, type CustomTransformFn, type AnalyzerOutputs } from "./custom.js";
export { hash64, hash64String, hashFraction, hashMod, hashBucket, murmur3x86_128, type Hash64 } from "./hash.js";
export { exampleScalar, rowScalar, categoryOf, type RawScalar, type RawRow } from "./values.js";
