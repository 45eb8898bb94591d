/**
 * Training: the built-in feed-forward trainer and user models (TF.js `modelFn` or plain TypeScript objects),
 * trained from a dataset and a feature spec with seeded randomness, stored as `model` artifacts (TF.js Layers
 * format) with TensorBoard logs. TF.js is loaded only when a trainer or predictor runs.
 * @module
 */
export { trainer, customTrainer, featureSpecStep, featureSpecParams, type CustomTrainerOptions, type TrainerStep } from "./steps.js";
export { trainModel, type TrainModelOptions, type TrainModelResult } from "./train-model.js";
export { fitParams, feedForwardParams, customTrainerParams, earlyStoppingParams, OPTIMIZERS, ACTIVATIONS } from "./params.js";
export type { FitParams, FeedForwardParams, CustomTrainerParams, EarlyStoppingParams } from "./params.js";
export { checkFeatureSpec, checkSpecAgainstDataset, featureSpecFromDataset, featureSpecSchema, inputWidth } from "./feature-spec.js";
export type { FeatureSpec, FeatureInput, LabelSpec, TaskKind } from "./feature-spec.js";
export { featureSpecType } from "./spec-type.js";
export { model, modelMaterializer } from "./model-type.js";
export { ModelArtifact, PLAIN_DIR, type PredictorOptions } from "./model-artifact.js";
export { MODEL_INFO_FILE, MODEL_INFO_VERSION, type ModelInfo, type ModelFramework } from "./model-info.js";
export type { Predictor, Prediction, PredictFn, FeatureRow } from "./predictor.js";
export { tfjsPredictor, plainPredictor } from "./predictor.js";
export type { ModelFn, ModelFnTools } from "./model-fn.js";
export { isPlainModel, type PlainModel, type PlainTrainingData, type PlainSplit, type PlainFitResult } from "./plain-model.js";
export { fileIO, MODEL_JSON, WEIGHTS_BIN, type IOHandler } from "./io-handler.js";
export { useBackend, type BackendName, type BackendInfo } from "./backend.js";
export { loadTf, type Tf, type LayersModel } from "./tf.js";
export { withSeededRandom } from "./seeded-random.js";
export { LabelEncoder } from "./labels.js";
export { layoutOf, packRow, packExample, type FeatureLayout } from "./layout.js";
export { openFeed, type SplitFeed, type Batch, type FeedOptions } from "./feed.js";
export { TensorBoardLog } from "./tensorboard.js";
export { specFromTransform, type TransformSpecLike } from "./adapter.js";
