/**
 * Model-agnostic training: any TypeScript object with `fit`/`predict`/`save`/`load` can be trained, stored and
 * evaluated by Koan, so TF.js is the default and not the only choice (a logistic regression, a gradient-boosted
 * tree from an npm package, ...). A `modelFn` may return one of these instead of a TF.js model.
 *
 * @example
 * ```ts
 * class Mean implements PlainModel {
 *   mean = 0;
 *   async fit(data: PlainTrainingData) {
 *     let s = 0; for await (const b of data.train.batches(1024)) for (const y of b.y) s += y;
 *     this.mean = s / data.train.rows;
 *   }
 *   predict(_x: Float32Array, rows: number) { return new Float32Array(rows).fill(this.mean); }
 *   async save(dir: string) { await writeFile(join(dir, "mean.json"), JSON.stringify(this.mean)); }
 *   async load(dir: string) { this.mean = JSON.parse(await readFile(join(dir, "mean.json"), "utf8")); }
 * }
 * const train = customTrainer({ name: "mean", modelFn: () => new Mean() });
 * ```
 * @module
 */
import type { Rng } from "../core/rng.js";
import type { FeatureSpec, TaskKind } from "./feature-spec.js";
import type { Batch } from "./feed.js";
import type { FeatureLayout } from "./layout.js";

/** One split a plain model trains or validates on. */
export interface PlainSplit {
  readonly rows: number;
  /** One pass in a seeded shuffled order (the training split) or in file order (validation). */
  batches(size: number): AsyncIterable<Batch>;
}

/** What a plain model's `fit` receives. */
export interface PlainTrainingData {
  readonly spec: FeatureSpec;
  readonly task: TaskKind;
  /** Float32 values per row of `x` and where each input sits in it. */
  readonly layout: FeatureLayout;
  /** Number of classes (classification); labels `y` are class indices. For regression, `y` holds the values. */
  readonly numClasses: number | undefined;
  readonly train: PlainSplit;
  readonly validation: PlainSplit | undefined;
  /** The trainer's fit parameters (epochs, batch size, learning rate, ...). */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Seeded randomness: use it, never `Math.random`. */
  readonly rng: Rng;
  readonly signal: AbortSignal | undefined;
  /** Report a metric of an epoch (also written to TensorBoard; `val_` names go to the validation run). */
  metric(name: string, value: number, epoch: number): void;
}

/** What `fit` may return: Keras-style history (metric → value per epoch), logged if not reported already. */
export interface PlainFitResult {
  readonly history?: Readonly<Record<string, readonly number[]>>;
}

/** A model Koan can train, store and evaluate without TF.js. */
export interface PlainModel {
  fit(data: PlainTrainingData): Promise<PlainFitResult | void> | PlainFitResult | void;
  /**
   * Predict `rows` rows of `x` (row-major, `layout.width` floats each): one value per row (binary: P(positive);
   * regression: the value), or `numClasses` class probabilities per row (multiclass), flat.
   */
  predict(x: Float32Array, rows: number): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** Write the fitted state into the (empty, existing) folder `dir`. */
  save(dir: string): Promise<void> | void;
  /** Restore the fitted state from a folder written by `save`. */
  load(dir: string): Promise<void> | void;
}

/** True for objects with the four methods of a {@link PlainModel}. */
export function isPlainModel(value: unknown): value is PlainModel {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return ["fit", "predict", "save", "load"].every((m) => typeof v[m] === "function") && !("getWeights" in v && "layers" in v);
}
