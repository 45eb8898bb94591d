/** Built-in steps. @module */
export { fileSource, fileSourceParams, type FileSourceParams } from "./sources/file-source.js";
export { rowsSource } from "./sources/rows-source.js";
export { statistics } from "./validation/statistics.js";
export { schemaGen } from "./validation/schema-gen.js";
export { validate } from "./validation/validate.js";
export { statisticsType, schemaType, anomaliesType } from "./validation/types.js";
export { tfrecordSource, tfrecordSourceParams, type TFRecordSourceParams } from "./sources/tfrecord-source.js";
export { imageSource, imageSourceParams, type ImageSourceParams } from "./sources/image-source.js";
export { postgresSource, postgresSourceParams, type PostgresSourceParams } from "./sources/postgres-source.js";
export { bigquerySource, bigquerySourceParams, type BigquerySourceParams } from "./sources/bigquery-source.js";
export { ratioSplit, categoricalSplit, categoricalRatioSplit, hybridSplit, timeSplit, customSplit, type CustomSplitOptions, type SplitFn } from "./split/index.js";
export { preprocess, preprocessWith, transformDataset, type PreprocessStep } from "./preprocess/index.js";
export { trainer, customTrainer, featureSpecStep } from "../train/steps.js";
export { evaluator, evaluatorWithBaseline, evaluatorStep, evaluatorWithBaselineStep, customEvaluator } from "../evaluate/steps.js";
export { bundleEvaluator, bundleEvaluatorStep, type BundleEvaluatorOptions } from "../evaluate/bundle-evaluator.js";
export { bundleStep } from "../bundle/step.js";
export { transformSpec } from "../pipelines/transform-spec.js";
export { batchPredict, batchPredictStep, batchPredictParams } from "../serving/batch/step.js";
