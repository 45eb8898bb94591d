/**
 * Koan: reproducible machine-learning pipelines for TypeScript.
 *
 * @example
 * ```ts
 * import { step, pipeline, types as t } from "koan";
 * const hello = step({ name: "hello", outputs: { msg: t.json<string>() }, run: () => ({ msg: "hi" }) });
 * export default pipeline({ name: "hello", build: () => { hello(); } });
 * ```
 * @module
 */
export { step } from "./core/step.js";
export type { Step, StepOptions, StepContext, StepLogger, StepDefinition, OutputRef, OutputRefs, InputRefs, Ports, PortValues, CallOptions } from "./core/step.js";
export { pipeline, isPipeline } from "./core/pipeline.js";
export type { Pipeline, PipelineOptions, PipelineSpec, PipelineNode } from "./core/pipeline.js";
export { commandStep } from "./core/command-step.js";
export type { CommandStepOptions } from "./core/command-step.js";
import { types as coreTypes } from "./core/types.js";
import { dataset } from "./data/dataset/type.js";
import { transformType } from "./transform/artifact.js";
import { model } from "./train/model-type.js";
import { featureSpecType } from "./train/spec-type.js";
import { evaluationType } from "./evaluate/evaluation-type.js";
import { bundleType } from "./bundle/type.js";
/** The built-in artifact types: `json`, `bytes`, `file`, `dir`, `dataset`, `transform`, `model`, `featureSpec`, `evaluation`, `bundle`. */
export const types = { ...coreTypes, dataset, transform: transformType, model, featureSpec: featureSpecType, evaluation: evaluationType, bundle: bundleType } as const;
export { defineArtifactType } from "./core/types.js";
export type { ArtifactType, ValueOf } from "./core/types.js";
export { fileFingerprint } from "./core/fingerprint.js";
export { createRng, deriveSeed } from "./core/rng.js";
export type { Rng } from "./core/rng.js";
export { KoanError, StepFailedError, isKoanError } from "./core/errors.js";
export type { KoanErrorCode, Issue } from "./core/errors.js";
export type { StandardSchemaV1 } from "./core/standard-schema.js";
export type { JsonValue } from "./core/hash.js";
export { registerMaterializer } from "./materializers/registry.js";
export type { Materializer, BlobReader, BlobWriter, BlobRef, SavedArtifact } from "./materializers/types.js";
export { defineFlavor, listFlavors } from "./core/flavor.js";
export type { Flavor, FlavorType, FlavorContext } from "./core/flavor.js";
export { Koan } from "./client/client.js";
export type { OpenOptions, RunOptions, RunResult } from "./client/client.js";
export type { LineageGraph, LineageNode, LineageEdge } from "./client/lineage.js";
export type { RunEvent } from "./runner/types.js";
export type { ArtifactStore } from "./stores/artifact/types.js";
export type { MetadataStore, RunRecord, StepRunRecord, ArtifactRecord, RunStatus, StepStatus } from "./stores/metadata/types.js";
export { KOAN_VERSION } from "./version.js";
export { Dataset, DatasetWriter } from "./data/dataset/index.js";
export type { DatasetWriterOptions, DatasetManifest, ColumnBatch, Column } from "./data/dataset/index.js";
export * from "./steps/index.js";
export {
  applyTransform,
  transformToVector,
  compileTransform,
  CompiledTransform,
  featureSpec,
  denseBatches,
  denseMatrix,
  transformType,
  parseTransform,
  serializeTransform,
  saveTransform,
  loadTransform,
  transformedSample,
} from "./transform/index.js";
export type {
  FittedTransform,
  FeatureSpec,
  ModelInput,
  LabelSpec,
  DenseBatch,
  ApplyOptions,
  TransformedRow,
  CustomTransform,
  CustomTransformFn,
  AnalyzerOutputs,
  PreprocessConfig,
  PreprocessConfigInput,
  SampledRow,
} from "./transform/index.js";
export {
  trainModel,
  feedForwardParams,
  fitParams,
  customTrainerParams,
  featureSpecFromDataset,
  ModelArtifact,
  tfjsPredictor,
  plainPredictor,
  fileIO,
  useBackend,
  loadTf,
  specFromTransform,
} from "./train/index.js";
export type {
  TrainModelOptions,
  TrainModelResult,
  FeedForwardParams,
  FeatureSpec as TrainerFeatureSpec,
  LabelSpec as TrainerLabelSpec,
  FeatureInput,
  TaskKind,
  ModelFn,
  PlainModel,
  Predictor,
  Prediction,
  PredictFn,
  BackendName,
} from "./train/index.js";
export { evaluateModel, lastBlessedEvaluation, fixedBaseline, bless, rocAuc, prAuc } from "./evaluate/index.js";
export type { EvaluateOptions, Baseline, BaselineSource, EvaluationModel } from "./evaluate/index.js";
export * from "./serving/index.js";
export { ServingBundle, loadBundle, writeBundle, bundleMismatch, bundleSignature, BUNDLE_FORMAT_VERSION } from "./bundle/index.js";
export type { BundleOptions, LoadBundleOptions, RawFeatureRow, BundleManifest } from "./bundle/index.js";
export * from "./pipelines/index.js";
export { collectReport, renderReport, notebookFor, loadCharts } from "./report/index.js";
export type { ReportData, Notebook, NotebookCell, Charts } from "./report/index.js";
export type { StepResources } from "./core/step.js";
export { defineStepBackend } from "./backends/flavors.js";
export type { StepBackend, StepJob, JobHandle, JobStatus, JobPhase, JobFailureReason, PlannedBackend } from "./backends/types.js";
export { argoWorkflow } from "./export/argo.js";
export type { ArgoWorkflow, ArgoOptions } from "./export/argo.js";
export { buildImage } from "./backends/build/build.js";
export type { BuildOptions, BuildResult } from "./backends/build/build.js";
export { datasetStatistics, computeSplitStatistics } from "./data/dataset/statistics.js";
export type { DatasetStatisticsOptions } from "./data/dataset/statistics.js";
export type { StoredStatistics } from "./data/dataset/statistics-file.js";
export type { RunSearch, RunValueFilter, RunFacetKeys } from "./stores/metadata/types.js";
export { stepRun } from "./runner/step-run.js";
export type { StepRunOptions, StepRunResult } from "./runner/step-run.js";
export { loadPipelineFile } from "./loader/pipeline-file.js";
export type { LoadedPipeline } from "./loader/pipeline-file.js";
export type { CreateRunOptions } from "./client/client.js";
export { shardableStep, shardsOf } from "./shards/define.js";
export type { ShardableStepOptions, Shards, ShardRef } from "./shards/define.js";
export { readRunState } from "./runner/run-state.js";
export type { RunState, NodeState } from "./runner/run-state.js";
export { startWorker } from "./orchestrators/queue/worker.js";
export type { WorkerOptions, QueueWorker } from "./orchestrators/queue/worker.js";
export { addSchedule, listSchedules, removeSchedule } from "./orchestrators/queue/schedules.js";
export type { ScheduleSpec, ScheduleInfo } from "./orchestrators/queue/schedules.js";
export { cancelRun } from "./orchestrators/cancel.js";
