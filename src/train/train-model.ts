/**
 * `trainModel`: the trainer itself, independent of steps — the adapter point for pipelines that derive the
 * feature spec from elsewhere (e.g. a fitted transform: `trainModel({ dataset, spec: featureSpec(transform), ... })`).
 * It checks the data once, picks the backend, builds the model (built-in feed-forward network or a `modelFn`),
 * trains it with seeded randomness, and writes `<outDir>/model` (a {@link ModelArtifact} folder) and
 * `<outDir>/logs` (TensorBoard event files).
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { Rng } from "../core/rng.js";
import type { StepLogger } from "../core/step.js";
import type { Dataset } from "../data/dataset/dataset.js";
import { KOAN_VERSION } from "../version.js";
import { useBackend } from "./backend.js";
import { outputUnits, taskHead, makeOptimizer, kerasName } from "./compile.js";
import { checkFeatureSpec, checkSpecAgainstDataset, type FeatureSpec } from "./feature-spec.js";
import { buildFeedForward } from "./feed-forward.js";
import { openFeed, type SplitFeed } from "./feed.js";
import { fitLoop } from "./fit-loop.js";
import { fileIO } from "./io-handler.js";
import { ModelArtifact, PLAIN_DIR } from "./model-artifact.js";
import { callModelFn, targetFormat, type ModelFn } from "./model-fn.js";
import { MODEL_INFO_FILE, MODEL_INFO_VERSION, type ModelInfo } from "./model-info.js";
import { checkOutput, inputFeeder } from "./model-inputs.js";
import type { CustomTrainerParams, FeedForwardParams, FitParams } from "./params.js";
import type { PlainModel, PlainSplit, PlainTrainingData } from "./plain-model.js";
import { TensorBoardLog } from "./tensorboard.js";
import type { LayersModel } from "./tf.js";

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  dataset: Dataset;
  spec: FeatureSpec;
  /** Validated parameters: {@link FeedForwardParams} without `modelFn`, {@link CustomTrainerParams} with one. */
  params: FeedForwardParams | CustomTrainerParams;
  /** A user model function; without it the built-in feed-forward network is trained. */
  modelFn?: ModelFn;
  /** Name recorded for the trainer (default `feed_forward`, or the modelFn's name). */
  name?: string;
  /** All randomness comes from here (`ctx.rng` in a step). */
  rng: Rng;
  /** The seed recorded with the model (`ctx.seed`). */
  seed: number;
  log: Pick<StepLogger, "info" | "warn" | "metric">;
  /** An empty or missing folder: receives `model/` and `logs/`. */
  outDir: string;
  signal?: AbortSignal;
}

/** What {@link trainModel} produced. */
export interface TrainModelResult {
  model: ModelArtifact;
  /** The TensorBoard log folder (`train/`, `validation/`). */
  logsDir: string;
}

let queue: Promise<unknown> = Promise.resolve();

/** Run trainings one at a time in this process (the TF.js backend and its memory are process-wide). */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Train a model. See the module documentation.
 * @example
 * ```ts
 * const { model } = await trainModel({ dataset, spec, params: feedForwardParams.parse({ epochs: 5 }), rng: ctx.rng, seed: ctx.seed, log: ctx.log, outDir: ctx.scratchDir });
 * ```
 */
export function trainModel(options: TrainModelOptions): Promise<TrainModelResult> {
  return serialized(() => train(options));
}

function fitParamsJson(p: FitParams): JsonValue {
  return JSON.parse(JSON.stringify(p)) as JsonValue;
}

async function train(o: TrainModelOptions): Promise<TrainModelResult> {
  const spec = checkFeatureSpec(o.spec);
  const { dataset, params, log } = o;
  checkSpecAgainstDataset(spec, dataset);
  if (!dataset.splits.includes(params.trainSplit)) {
    throw new KoanError("DATA_INVALID", `the training split "${params.trainSplit}" is not in the dataset`, { hint: `splits: ${dataset.splits.join(", ")}; set trainSplit` });
  }
  if (params.validationSplit !== null && !dataset.splits.includes(params.validationSplit)) {
    throw new KoanError("DATA_INVALID", `the validation split "${params.validationSplit}" is not in the dataset`, {
      hint: `splits: ${dataset.splits.join(", ")}; set validationSplit to one of them, or to null for none`,
    });
  }
  if (params.earlyStopping?.monitor.startsWith("val_") && params.validationSplit === null) {
    throw new KoanError("USAGE", `early stopping watches "${params.earlyStopping.monitor}" but there is no validation split`, { hint: "set validationSplit" });
  }
  const feedOptions = { inMemoryLimitBytes: params.inMemoryLimitMb * 1024 * 1024, shuffleBuffer: params.shuffleBuffer };
  const trainFeed = await openFeed(dataset, params.trainSplit, spec, feedOptions);
  const valFeed = params.validationSplit === null ? undefined : await openFeed(dataset, params.validationSplit, spec, feedOptions);
  if (trainFeed.rows === 0) throw new KoanError("DATA_INVALID", `the training split "${params.trainSplit}" is empty`);
  const numClasses = classCount(spec, trainFeed, valFeed);
  log.info(
    `training on ${trainFeed.rows} rows of "${trainFeed.split}" (${trainFeed.inMemory ? "in memory" : "streamed"}, ${trainFeed.layout.width} values per row)` +
      (valFeed ? `, validating on ${valFeed.rows} rows of "${valFeed.split}"` : "") +
      `; seed ${o.seed}`,
  );

  const { tf, backend, notes } = await useBackend(params.backend);
  for (const n of notes) log.info(`backend: ${n}`);
  log.info(`TF.js backend: ${backend}`);

  const modelDir = join(o.outDir, "model");
  const logsDir = join(o.outDir, "logs");
  await mkdir(modelDir, { recursive: true });
  await mkdir(logsDir, { recursive: true });
  const board = new TensorBoardLog(logsDir);
  const history: Record<string, number[]> = {};
  const ff = o.modelFn === undefined;
  const hparams = ff ? {} : ((params as CustomTrainerParams).hparams as Record<string, unknown>);
  const built = ff
    ? { kind: "tfjs" as const, model: buildFeedForward(tf, { width: trainFeed.layout.width, task: spec.label.kind, numClasses, params: params as FeedForwardParams, rng: o.rng.fork("init") }) }
    : callModelFn(o.modelFn as ModelFn, { tf, hparams, spec, width: trainFeed.layout.width, numClasses, rng: o.rng.fork("model") });
  const name = o.name ?? (ff ? "feed_forward" : o.modelFn?.name || "model_fn");
  let result: { epochs: number; bestEpoch: number; stoppedEarly: boolean };
  try {
    if (built.kind === "tfjs") {
      result = await trainLayers(o, built.model, { tf, spec, numClasses, trainFeed, valFeed, board, history });
      await built.model.save(fileIO(modelDir));
    } else {
      result = await trainPlain(o, built.model, { spec, numClasses, trainFeed, valFeed, board, history });
      await mkdir(join(modelDir, PLAIN_DIR), { recursive: true });
      await built.model.save(join(modelDir, PLAIN_DIR));
    }
  } finally {
    await board.close();
    if (built.kind === "tfjs") built.model.dispose();
  }
  const info: ModelInfo = {
    format: "koan.model",
    version: MODEL_INFO_VERSION,
    framework: built.kind === "tfjs" ? "tfjs-layers" : "plain",
    spec,
    outputs: outputUnits(spec.label.kind, numClasses),
    classes: spec.label.classes ? [...spec.label.classes] : null,
    trainer: { kind: ff ? "feed_forward" : built.kind === "tfjs" ? "model_fn" : "plain", name },
    params: fitParamsJson(params),
    seed: o.seed,
    backend: built.kind === "tfjs" ? backend : null,
    epochs: result.epochs,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    history,
    koanVersion: KOAN_VERSION,
  };
  await writeFile(join(modelDir, MODEL_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
  return { model: await ModelArtifact.open(modelDir), logsDir };
}

/** The class count, and the check that the training split holds at least two classes. */
function classCount(spec: FeatureSpec, trainFeed: SplitFeed, valFeed: SplitFeed | undefined): number | undefined {
  const kind = spec.label.kind;
  if (kind === "regression") return undefined;
  const counts = trainFeed.classCounts ?? [];
  const present = counts.map((c, i) => [i, c] as const).filter(([, c]) => c > 0);
  if (present.length < 2) {
    const only = present[0]?.[0];
    const nameOf = only === undefined ? "none" : (spec.label.classes?.[only] ?? String(only));
    throw new KoanError("DATA_INVALID", `label "${spec.label.name}" has one class only (${nameOf}) in the training split "${trainFeed.split}": a classifier needs at least two`, {
      hint: "check the label column and the split",
    });
  }
  if (kind === "binary") return 2;
  const seen = Math.max(counts.length, valFeed?.classCounts?.length ?? 0);
  return spec.label.classes?.length ?? seen;
}

interface Shared {
  spec: FeatureSpec;
  numClasses: number | undefined;
  trainFeed: SplitFeed;
  valFeed: SplitFeed | undefined;
  board: TensorBoardLog;
  history: Record<string, number[]>;
}

async function logEpoch(o: TrainModelOptions, board: TensorBoardLog, epoch: number, logs: Record<string, number>, epochs: number): Promise<void> {
  for (const [k, v] of Object.entries(logs)) o.log.metric(k, v, epoch);
  await board.writeEpoch(epoch, logs);
  o.log.info(`epoch ${epoch + 1}/${epochs}: ${Object.entries(logs).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(", ")}`);
}

async function trainLayers(o: TrainModelOptions, model: LayersModel, s: Shared & { tf: Awaited<ReturnType<typeof useBackend>>["tf"] }) {
  const { tf, spec, numClasses } = s;
  const p = o.params;
  const feeder = inputFeeder(model, s.trainFeed.layout);
  checkOutput(model, outputUnits(spec.label.kind, numClasses), spec.label.kind === "multiclass" ? `${numClasses} classes` : `a ${spec.label.kind} task`);
  if (!model.optimizer) {
    const head = taskHead(spec.label.kind);
    model.compile({ optimizer: makeOptimizer(tf, p.optimizer, p.learningRate), loss: head.loss, metrics: head.metrics });
  }
  const r = await fitLoop({
    tf,
    model,
    feeder,
    target: targetFormat(model, spec.label.kind),
    numClasses,
    train: s.trainFeed,
    validation: s.valFeed,
    epochs: p.epochs,
    batchSize: p.batchSize,
    shuffleRng: p.shuffle ? o.rng.fork("shuffle") : undefined,
    randomRng: o.rng.fork("random"),
    earlyStopping: p.earlyStopping,
    signal: o.signal,
    onEpochEnd: (epoch, logs) => logEpoch(o, s.board, epoch, logs, p.epochs),
  });
  Object.assign(s.history, r.history);
  if (r.stoppedEarly) o.log.info(`early stopping after epoch ${r.epochs}; keeping the weights of epoch ${r.bestEpoch + 1}`);
  return r;
}

async function trainPlain(o: TrainModelOptions, model: PlainModel, s: Shared) {
  const p = o.params;
  const shuffle = p.shuffle ? o.rng.fork("shuffle") : undefined;
  const split = (feed: SplitFeed, rng: typeof shuffle): PlainSplit => ({ rows: feed.rows, batches: (size) => feed.batches(size, rng) });
  const reported = new Map<number, Record<string, number>>();
  const data: PlainTrainingData = {
    spec: s.spec,
    task: s.spec.label.kind,
    layout: s.trainFeed.layout,
    numClasses: s.numClasses,
    train: split(s.trainFeed, shuffle),
    validation: s.valFeed ? split(s.valFeed, undefined) : undefined,
    epochs: p.epochs,
    batchSize: p.batchSize,
    learningRate: p.learningRate,
    rng: o.rng.fork("plain"),
    signal: o.signal,
    metric(name, value, epoch) {
      if (!Number.isInteger(epoch) || epoch < 0) throw new KoanError("USAGE", `metric "${name}": epoch must be a whole number ≥ 0, got ${epoch}`);
      if (kerasName(name) === "loss" && !Number.isFinite(value)) {
        throw new KoanError("DATA_INVALID", `training diverged: the loss is ${value} in epoch ${epoch}`, { hint: "lower the learning rate or scale the features", details: { epoch } });
      }
      const logs = reported.get(epoch) ?? {};
      logs[kerasName(name)] = value;
      reported.set(epoch, logs);
    },
  };
  const result = (await model.fit(data)) ?? {};
  for (const [name, values] of Object.entries(result.history ?? {})) {
    values.forEach((v, epoch) => {
      const logs = reported.get(epoch) ?? {};
      logs[kerasName(name)] ??= v;
      reported.set(epoch, logs);
    });
  }
  const epochs = [...reported.keys()].sort((a, b) => a - b);
  for (const epoch of epochs) {
    const logs = reported.get(epoch) as Record<string, number>;
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      throw new KoanError("DATA_INVALID", `training diverged: the loss is ${loss} in epoch ${epoch}`, { hint: "lower the learning rate or scale the features" });
    }
    for (const [k, v] of Object.entries(logs)) (s.history[k] ??= []).push(v);
    await logEpoch(o, s.board, epoch, logs, epochs.length);
  }
  const n = epochs.length ? (epochs[epochs.length - 1] as number) + 1 : p.epochs;
  return { epochs: n, bestEpoch: n - 1, stoppedEarly: false };
}
