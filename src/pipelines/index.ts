/** Batteries-included pipelines and the glue steps they use. @module */
export { trainingPipeline, type TrainingPipelineOptions, type CustomTraining, type EvaluationSettings, type DatasetOutput, type TransformOutput, type ModelOutput, type BundleOutput, type SpecOutput } from "./training.js";
export { transformSpec, transformSpecParams } from "./transform-spec.js";
