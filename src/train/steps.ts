/**
 * Trainer steps. `trainer` is the built-in feed-forward trainer; `customTrainer({ modelFn })` makes a trainer for
 * a user model (TF.js or plain TypeScript). Both take a dataset and a feature spec and output a `model` and
 * TensorBoard `logs` (a folder). `featureSpecStep` infers a spec for a dataset that is numeric already.
 *
 * @example
 * ```ts
 * const { spec } = featureSpecStep({ dataset }, { params: { label: { name: "species", kind: "multiclass" } } });
 * const { model, logs } = trainer({ dataset, spec }, { params: { hiddenUnits: [16], epochs: 20, earlyStopping: { patience: 3 } } });
 * ```
 * @module
 */
import { z } from "zod";
import { sha256 } from "../core/hash.js";
import { step, type Step } from "../core/step.js";
import { types } from "../core/types.js";
import { dataset } from "../data/dataset/type.js";
import { featureSpecFromDataset } from "./feature-spec.js";
import type { ModelFn } from "./model-fn.js";
import { model } from "./model-type.js";
import { customTrainerParams, feedForwardParams } from "./params.js";
import { featureSpecType } from "./spec-type.js";
import { trainModel } from "./train-model.js";

/** Bumped when the training code changes what a step produces (part of the cache key). */
const TRAINER_VERSION = "koan.trainer/1";

const trainerInputs = { dataset: dataset(), spec: featureSpecType() };
const trainerOutputs = { model: model(), logs: types.dir() };

/** The built-in feed-forward trainer (hidden layers, activation, dropout, optimizer, early stopping). */
export const trainer = step({
  name: "trainer",
  description: "train the built-in feed-forward network (TF.js) on a dataset",
  inputs: trainerInputs,
  outputs: trainerOutputs,
  params: feedForwardParams,
  version: TRAINER_VERSION,
  run: async (ctx, { dataset: data, spec }, params) => {
    const { model: m, logsDir } = await trainModel({ dataset: data, spec, params, rng: ctx.rng, seed: ctx.seed, log: ctx.log, outDir: ctx.scratchDir, signal: ctx.signal });
    return { model: m, logs: logsDir };
  },
});

/** Options of {@link customTrainer}. */
export interface CustomTrainerOptions {
  /** Builds the model: a TF.js LayersModel or a plain object with fit/predict/save/load. */
  modelFn: ModelFn;
  /** The step's name (default `trainer`). */
  name?: string;
  description?: string;
  /** Bump to invalidate cached models when code `modelFn` calls (but does not contain) changes. */
  version?: string;
}

/** The step type of a trainer. */
export type TrainerStep = Step<typeof trainerInputs, typeof trainerOutputs, typeof customTrainerParams>;

/**
 * A trainer step for a user model. The source of `modelFn` is part of the step's identity, so editing it
 * re-trains. Hyperparameters are the `hparams` parameter (passed to `modelFn`).
 * @example
 * ```ts
 * const train = customTrainer({ name: "train_mlp", modelFn: (hp, spec, { tf, width }) => { ... } });
 * train({ dataset, spec }, { params: { epochs: 5, hparams: { units: 32 } } });
 * ```
 */
export function customTrainer(options: CustomTrainerOptions): TrainerStep {
  const modelFn = options.modelFn;
  const name = options.name ?? "trainer";
  return step({
    name,
    description: options.description ?? "train a user model on a dataset",
    inputs: trainerInputs,
    outputs: trainerOutputs,
    params: customTrainerParams,
    version: `${TRAINER_VERSION}:${sha256(String(modelFn))}:${options.version ?? ""}`,
    run: async (ctx, { dataset: data, spec }, params) => {
      const { model: m, logsDir } = await trainModel({ dataset: data, spec, params, modelFn, name: modelFn.name || name, rng: ctx.rng, seed: ctx.seed, log: ctx.log, outDir: ctx.scratchDir, signal: ctx.signal });
      return { model: m, logs: logsDir };
    },
  });
}

/** Parameters of {@link featureSpecStep}. */
export const featureSpecParams = z
  .object({
    label: z.object({ name: z.string().min(1), kind: z.enum(["binary", "multiclass", "regression"]), classes: z.array(z.string()).optional() }).strict(),
    /** Input features (default: every numeric feature but the label). */
    inputs: z.array(z.string()).optional(),
    /** Split whose first rows give multi-valued widths (default: the first split). */
    split: z.string().optional(),
  })
  .strict();

/** Infer a feature spec for a dataset whose features are numeric already. */
export const featureSpecStep = step({
  name: "feature_spec",
  description: "a feature spec for a numeric dataset (inputs and label)",
  inputs: { dataset: dataset() },
  outputs: { spec: featureSpecType() },
  params: featureSpecParams,
  version: TRAINER_VERSION,
  run: async (_ctx, { dataset: data }, p) => ({
    spec: await featureSpecFromDataset(data, { label: p.label, ...(p.inputs ? { inputs: p.inputs } : {}), ...(p.split ? { split: p.split } : {}) }),
  }),
});
