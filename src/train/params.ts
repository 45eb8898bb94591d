/**
 * Trainer parameters (zod schemas, so they are validated, part of the cache key, and overridable with
 * `--param`). {@link fitParams} are shared by every trainer; {@link feedForwardParams} add the built-in network.
 * @module
 */
import { z } from "zod";

/** Optimizers by name (TF.js `tf.train.*`). */
export const OPTIMIZERS = ["adam", "sgd", "rmsprop", "adagrad", "adamax", "adadelta", "momentum"] as const;
/** Hidden-layer activations of the feed-forward network. */
export const ACTIVATIONS = ["relu", "elu", "selu", "tanh", "sigmoid", "softplus", "swish", "linear"] as const;

/** Early stopping on the validation split (Keras `EarlyStopping`). */
export const earlyStoppingParams = z
  .object({
    /** Metric watched, e.g. `val_loss` (default) or `val_accuracy`; lower is better unless it names an accuracy, AUC or R². */
    monitor: z.string().default("val_loss"),
    /** Epochs without improvement before stopping. */
    patience: z.number().int().min(0).default(3),
    /** Smallest change that counts as an improvement. */
    minDelta: z.number().min(0).default(0),
    /** Put the weights of the best epoch back at the end. */
    restoreBestWeights: z.boolean().default(true),
  })
  .strict();

/** Parameters of every trainer. */
export const fitParams = z
  .object({
    epochs: z.number().int().min(1).default(10),
    batchSize: z.number().int().min(1).default(32),
    learningRate: z.number().positive().default(0.001),
    optimizer: z.enum(OPTIMIZERS).default("adam"),
    /** The split trained on. */
    trainSplit: z.string().default("train"),
    /** The split validated on after each epoch (for metrics and early stopping); null for none. */
    validationSplit: z.string().nullable().default("eval"),
    /** Shuffle the training rows each epoch (seeded). */
    shuffle: z.boolean().default(true),
    earlyStopping: earlyStoppingParams.nullable().default(null),
    /** TF.js backend: auto = tfjs-node if installed, else WASM (SIMD), else pure JS. */
    backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]).default("auto"),
    /** Keep a split in memory (packed float32) when it needs at most this many MiB; larger ones are streamed. */
    inMemoryLimitMb: z.number().min(0).default(256),
    /** Rows of the shuffle buffer when a split is streamed. */
    shuffleBuffer: z.number().int().min(1).default(10_000),
  })
  .strict();

/** Parameters of the built-in feed-forward trainer. */
export const feedForwardParams = fitParams
  .extend({
    /** Units of each hidden layer. */
    hiddenUnits: z.array(z.number().int().min(1)).default([64, 64]),
    activation: z.enum(ACTIVATIONS).default("relu"),
    /** Dropout rate after each hidden layer (0 for none). */
    dropout: z.number().min(0).max(0.95).default(0),
  })
  .strict();

/** Parameters of a trainer with a user `modelFn`: the fit parameters plus free-form hyperparameters. */
export const customTrainerParams = fitParams
  .extend({
    /** Passed to `modelFn` as its first argument. */
    hparams: z.record(z.string(), z.json()).default({}),
  })
  .strict();

/** Validated fit parameters. */
export type FitParams = z.output<typeof fitParams>;
/** Validated feed-forward parameters. */
export type FeedForwardParams = z.output<typeof feedForwardParams>;
/** Validated custom-trainer parameters. */
export type CustomTrainerParams = z.output<typeof customTrainerParams>;
/** Early-stopping settings. */
export type EarlyStoppingParams = z.output<typeof earlyStoppingParams>;
