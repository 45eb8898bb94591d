/**
 * `trainingPipeline`: the standard training path as one call — sourcing → split → statistics per split, schema
 * and validation → preprocess (fit the transform on the training split) → train → bundle (transform + model) → evaluate
 * the bundle on raw rows. Each part takes the built-in step's parameters, or a function that wires your own
 * steps in its place.
 *
 * Step names in the pipeline: `source`, `statistics`, `schema`, `validate`, `split`, `preprocess`,
 * `transform_spec`, `trainer`, `bundle`, `evaluator` (so `--param trainer.epochs=50` works).
 *
 * @example
 * ```ts
 * export default trainingPipeline({
 *   name: "penguins",
 *   seed: 42,
 *   source: { path: "data/penguins.csv" },
 *   split: { ratios: { train: 0.8, eval: 0.2 } },
 *   preprocess: { label: "species" },
 *   train: { hiddenUnits: [16], epochs: 40 },
 *   evaluate: { slices: ["island"], thresholds: [{ metric: "accuracy", value: { lowerBound: 0.9 } }] },
 * });
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import { pipeline, type Pipeline } from "../core/pipeline.js";
import type { OutputRef, ParamsInputOf } from "../core/step.js";
import type { dataset } from "../data/dataset/type.js";
import { bundleStep } from "../bundle/step.js";
import type { bundleType } from "../bundle/type.js";
import type { BaselineSource } from "../evaluate/baseline.js";
import { bundleEvaluatorStep } from "../evaluate/bundle-evaluator.js";
import type { evaluatorParams } from "../evaluate/params.js";
import { fileSource, type FileSourceParams } from "../steps/sources/file-source.js";
import { ratioSplit, type ratioSplitParams } from "../steps/split/ratio-split.js";
import { preprocess } from "../steps/preprocess/preprocess.js";
import { statistics } from "../steps/validation/statistics.js";
import { schemaGen } from "../steps/validation/schema-gen.js";
import { validate } from "../steps/validation/validate.js";
import type { ModelFn } from "../train/model-fn.js";
import type { model } from "../train/model-type.js";
import type { customTrainerParams, feedForwardParams } from "../train/params.js";
import type { featureSpecType } from "../train/spec-type.js";
import { customTrainer, trainer } from "../train/steps.js";
import type { PredictorOptions } from "../train/model-artifact.js";
import type { PlainModel } from "../train/plain-model.js";
import type { transformType } from "../transform/artifact.js";
import type { PreprocessConfigInput } from "../transform/config.js";
import { transformSpec } from "./transform-spec.js";

/** A dataset output of a step. */
export type DatasetOutput = OutputRef<ReturnType<typeof dataset>>;
/** A transform output of a step. */
export type TransformOutput = OutputRef<ReturnType<typeof transformType>>;
/** A model output of a step. */
export type ModelOutput = OutputRef<ReturnType<typeof model>>;
/** A serving bundle output of a step. */
export type BundleOutput = OutputRef<ReturnType<typeof bundleType>>;
/** A feature spec output of a step. */
export type SpecOutput = OutputRef<ReturnType<typeof featureSpecType>>;

/** A user model for the trainer: a `modelFn` (TF.js or plain TypeScript) and the custom trainer's parameters. */
export interface CustomTraining {
  modelFn: ModelFn;
  params?: ParamsInputOf<typeof customTrainerParams>;
  /** Bump to re-train when code `modelFn` calls (but does not contain) changes. */
  version?: string;
}

/** Evaluation settings: the evaluator's parameters plus an optional baseline for change thresholds. */
export type EvaluationSettings = ParamsInputOf<typeof evaluatorParams> & { baseline?: BaselineSource };

/** Options of {@link trainingPipeline}. */
export interface TrainingPipelineOptions {
  name: string;
  description?: string;
  /** The run's base seed (default 0). */
  seed?: number;
  concurrency?: number;
  /** The file source's parameters (CSV, JSON, JSON Lines, Parquet), or a function returning your source's dataset. */
  source: FileSourceParams | (() => DatasetOutput);
  /** Statistics per split, schema inference and validation (default true; a function given the split dataset replaces them). */
  validate?: boolean | ((splits: DatasetOutput) => void);
  /** `ratio_split` parameters (default 80/20 train/eval), or a function returning a dataset with named splits. */
  split?: ParamsInputOf<typeof ratioSplitParams> | ((data: DatasetOutput) => DatasetOutput);
  /** `preprocess` parameters (at least the label), or a function returning a transform and the transformed dataset. */
  preprocess: PreprocessConfigInput | ((splits: DatasetOutput) => { transform: TransformOutput; dataset: DatasetOutput });
  /**
   * The built-in feed-forward trainer's parameters (default: its defaults), a user model, or a function returning
   * a model trained on the transformed dataset.
   */
  train?: ParamsInputOf<typeof feedForwardParams> | CustomTraining | ((data: DatasetOutput, spec: SpecOutput) => { model: ModelOutput });
  /** Evaluator settings (default: the `eval` split, no slices), `false` for none, or a function given the bundle and the raw splits. */
  evaluate?: EvaluationSettings | false | ((bundle: BundleOutput, splits: DatasetOutput) => void);
}

function isCustom(t: TrainingPipelineOptions["train"]): t is CustomTraining {
  return typeof t === "object" && t !== null && typeof (t as CustomTraining).modelFn === "function";
}

/** Build the standard training pipeline (see the module comment). */
export function trainingPipeline(options: TrainingPipelineOptions): Pipeline {
  if (!options.source) throw new KoanError("PIPELINE_INVALID", `trainingPipeline "${options.name}": source is required`, { hint: "give the file source's parameters ({ path }) or a function returning a dataset" });
  if (!options.preprocess) throw new KoanError("PIPELINE_INVALID", `trainingPipeline "${options.name}": preprocess is required (it names the label)`, { hint: 'e.g. preprocess: { label: "species" }' });
  const custom = isCustom(options.train) ? options.train : undefined;
  const customStep = custom ? customTrainer({ modelFn: custom.modelFn, ...(custom.version ? { version: custom.version } : {}) }) : undefined;
  // A plain TypeScript model is re-made from its modelFn to load the stored state (TF.js models need no factory).
  const plainModel: PredictorOptions["plainModel"] | undefined = custom ? (hparams, spec) => custom.modelFn(hparams, spec, undefined as never) as PlainModel : undefined;
  const evaluation = typeof options.evaluate === "object" ? options.evaluate : undefined;
  const evaluate = bundleEvaluatorStep({
    ...(evaluation?.baseline ? { baseline: evaluation.baseline } : {}),
    ...(plainModel ? { plainModel } : {}),
  });

  return pipeline({
    name: options.name,
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    build: () => {
      const raw = typeof options.source === "function" ? options.source() : fileSource(undefined, { name: "source", params: options.source }).dataset;
      const splits = typeof options.split === "function" ? options.split(raw) : ratioSplit({ dataset: raw }, { name: "split", params: options.split ?? { ratios: { train: 0.8, eval: 0.2 } } }).dataset;
      if (typeof options.validate === "function") options.validate(splits);
      else if (options.validate !== false) {
        // Statistics per split; the schema is inferred from them and every split is checked against it.
        const { statistics: stats } = statistics({ dataset: splits });
        const { schema } = schemaGen({ statistics: stats }, { name: "schema" });
        validate({ statistics: stats, schema });
      }
      const pre = typeof options.preprocess === "function" ? options.preprocess(splits) : preprocess({ dataset: splits }, { params: options.preprocess });
      const { spec } = transformSpec({ transform: pre.transform });
      let trained: ModelOutput;
      if (typeof options.train === "function") trained = options.train(pre.dataset, spec).model;
      else if (customStep) trained = customStep({ dataset: pre.dataset, spec }, { params: custom?.params ?? {} }).model;
      else trained = trainer({ dataset: pre.dataset, spec }, { params: (options.train ?? {}) as ParamsInputOf<typeof feedForwardParams> }).model;
      const { bundle } = bundleStep({ transform: pre.transform, model: trained });
      if (typeof options.evaluate === "function") options.evaluate(bundle, splits);
      else if (options.evaluate !== false) {
        const { baseline: _b, ...params } = evaluation ?? {};
        evaluate({ bundle, dataset: splits }, { params });
      }
    },
  });
}
