/**
 * The training loop for TF.js Layers models: epochs of batches from a {@link SplitFeed}, each batch one
 * synchronous training step (the model's compiled loss, optimizer, metrics and regularizers) run with a seeded
 * `Math.random`, then validation, per-epoch logs, a NaN check and early stopping. Koan shuffles (seeded) and
 * never lets TF.js shuffle, so the batch order is fixed by the seed.
 * @module
 */
import type { Scalar } from "@tensorflow/tfjs";
import { KoanError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { kerasName } from "./compile.js";
import type { Batch, SplitFeed } from "./feed.js";
import type { InputFeeder } from "./model-inputs.js";
import type { TargetFormat } from "./model-fn.js";
import type { EarlyStoppingParams } from "./params.js";
import { withSeededRandom } from "./seeded-random.js";
import type { LayersModel, Tensor, Tf } from "./tf.js";

/** Arguments of {@link fitLoop}. */
export interface FitLoopArgs {
  tf: Tf;
  model: LayersModel;
  feeder: InputFeeder;
  target: TargetFormat;
  numClasses: number | undefined;
  train: SplitFeed;
  validation: SplitFeed | undefined;
  epochs: number;
  batchSize: number;
  /** Shuffles the training rows each epoch; undefined keeps file order. */
  shuffleRng: Rng | undefined;
  /** Backs `Math.random` inside each training step (dropout masks, unseeded random ops). */
  randomRng: Rng;
  earlyStopping: EarlyStoppingParams | null;
  signal?: AbortSignal | undefined;
  /** Called after each epoch with its metrics (Keras names: `loss`, `accuracy`, `val_loss`, ...). */
  onEpochEnd(epoch: number, logs: Record<string, number>): Promise<void> | void;
}

/** What {@link fitLoop} did. */
export interface FitLoopResult {
  /** Epochs run. */
  epochs: number;
  /** The epoch whose weights the model holds at the end. */
  bestEpoch: number;
  stoppedEarly: boolean;
  history: Record<string, number[]>;
}

type TrainFn = (data: Tensor[]) => Scalar[];

/** The model's compiled training step, when this TF.js exposes it (it does in 4.x); Sequential delegates to its inner model. */
function compiledTrainStep(tf: Tf, model: LayersModel): TrainFn | undefined {
  const host = (model instanceof tf.Sequential ? (model as unknown as { model: LayersModel }).model : model) as unknown as {
    makeTrainFunction?: () => TrainFn;
    collectedTrainableWeights?: unknown;
  };
  if (typeof host.makeTrainFunction !== "function" || !host.collectedTrainableWeights) return undefined;
  return host.makeTrainFunction();
}

function targets(tf: Tf, y: Float32Array, n: number, format: TargetFormat, numClasses: number | undefined): Tensor {
  if (format === "onehot") return tf.oneHot(tf.tensor1d(y.subarray(0, n), "int32"), numClasses as number).toFloat();
  return tf.tensor2d(y.subarray(0, n), [n, 1], "float32");
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new KoanError("RUN_CANCELLED", "training was cancelled");
}

/** Train `model` in place. */
export async function fitLoop(args: FitLoopArgs): Promise<FitLoopResult> {
  const { tf, model } = args;
  if (!model.optimizer) throw new KoanError("USAGE", "the model is not compiled");
  const names = model.metricsNames.map(kerasName);
  const trainFn = compiledTrainStep(tf, model);
  const history: Record<string, number[]> = {};
  const es = args.earlyStopping;
  const maximize = es ? /acc|auc|r2|precision|recall/i.test(es.monitor) : false;
  let best = maximize ? -Infinity : Infinity;
  let bestEpoch = -1;
  let bestWeights: Tensor[] | undefined;
  let wait = 0;
  let stoppedEarly = false;
  let epoch = 0;

  const step = async (b: Batch): Promise<number[]> => {
    if (trainFn) {
      const outs = tf.tidy(() => {
        const xs = args.feeder(tf, b.x, b.n);
        const ys = targets(tf, b.y, b.n, args.target, args.numClasses);
        return withSeededRandom(args.randomRng, () => trainFn([...xs, ys]));
      });
      const values = outs.map((t) => t.dataSync()[0] as number);
      tf.dispose(outs);
      return values;
    }
    // Fallback for a TF.js without the compiled step: trainOnBatch, with Math.random seeded across its awaits.
    const xs = args.feeder(tf, b.x, b.n);
    const ys = targets(tf, b.y, b.n, args.target, args.numClasses);
    const original = Math.random;
    Math.random = () => args.randomRng.next();
    try {
      const r = await model.trainOnBatch(xs.length === 1 ? (xs[0] as Tensor) : xs, ys);
      return Array.isArray(r) ? r : [r];
    } finally {
      Math.random = original;
      tf.dispose([...xs, ys]);
    }
  };

  try {
    for (epoch = 0; epoch < args.epochs; epoch++) {
      const sums = new Float64Array(names.length);
      let seen = 0;
      let batchIndex = 0;
      for await (const b of args.train.batches(args.batchSize, args.shuffleRng)) {
        checkAbort(args.signal);
        const values = await step(b);
        const loss = values[0] as number;
        if (!Number.isFinite(loss)) {
          throw new KoanError("DATA_INVALID", `training diverged: the loss is ${loss} in epoch ${epoch} (batch ${batchIndex})`, {
            hint: "lower the learning rate, scale the features, or look for huge or NaN values in the data",
            details: { epoch, batch: batchIndex },
          });
        }
        values.forEach((v, k) => (sums[k] = (sums[k] as number) + v * b.n));
        seen += b.n;
        batchIndex++;
      }
      const logs: Record<string, number> = {};
      names.forEach((name, k) => (logs[name] = (sums[k] as number) / Math.max(1, seen)));
      if (args.validation) Object.assign(logs, await validate(args, names));
      for (const [k, v] of Object.entries(logs)) (history[k] ??= []).push(v);
      await args.onEpochEnd(epoch, logs);
      if (!es) {
        bestEpoch = epoch;
        continue;
      }
      const v = logs[es.monitor];
      if (v === undefined) {
        throw new KoanError("USAGE", `early stopping watches "${es.monitor}", which is not a metric of this training`, { hint: `metrics: ${Object.keys(logs).join(", ")}` });
      }
      if (maximize ? v > best + es.minDelta : v < best - es.minDelta) {
        best = v;
        bestEpoch = epoch;
        wait = 0;
        if (es.restoreBestWeights) {
          if (bestWeights) tf.dispose(bestWeights);
          bestWeights = tf.tidy(() => model.getWeights().map((w) => w.clone()));
        }
      } else if (++wait >= es.patience) {
        stoppedEarly = epoch + 1 < args.epochs;
        epoch++;
        break;
      }
    }
    const ran = Math.min(epoch, args.epochs);
    if (es?.restoreBestWeights && bestWeights && bestEpoch !== ran - 1) model.setWeights(bestWeights);
    return { epochs: ran, bestEpoch: es?.restoreBestWeights ? bestEpoch : ran - 1, stoppedEarly, history };
  } finally {
    if (bestWeights) tf.dispose(bestWeights);
  }
}

async function validate(args: FitLoopArgs, names: readonly string[]): Promise<Record<string, number>> {
  const { tf, model } = args;
  const sums = new Float64Array(names.length);
  let seen = 0;
  for await (const b of (args.validation as SplitFeed).batches(args.batchSize)) {
    checkAbort(args.signal);
    const outs = tf.tidy(() => {
      const r = model.evaluate(args.feeder(tf, b.x, b.n), targets(tf, b.y, b.n, args.target, args.numClasses), { batchSize: b.n });
      return Array.isArray(r) ? r : [r];
    });
    outs.forEach((t, k) => (sums[k] = (sums[k] as number) + (t.dataSync()[0] as number) * b.n));
    tf.dispose(outs);
    seen += b.n;
  }
  const logs: Record<string, number> = {};
  names.forEach((name, k) => (logs[`val_${name}`] = (sums[k] as number) / Math.max(1, seen)));
  return logs;
}
