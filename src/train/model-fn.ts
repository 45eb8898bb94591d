/**
 * User models: `modelFn(hparams, spec, tools) => tf.LayersModel | PlainModel`, called once per training with the
 * step's hyperparameters. Koan checks what it returns (a model, with inputs that match the features and an output
 * that fits the task) and compiles a TF.js model that is not compiled yet with the task's loss.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { FeatureSpec, TaskKind } from "./feature-spec.js";
import { isPlainModel, type PlainModel } from "./plain-model.js";
import { drawSeed, withSeededRandom } from "./seeded-random.js";
import type { LayersModel, Tf } from "./tf.js";

/** What a `modelFn` gets besides the hyperparameters and the spec. */
export interface ModelFnTools {
  /** The `@tensorflow/tfjs` namespace Koan trains with (use it, or import the same package). */
  readonly tf: Tf;
  /** A fresh seed for an initializer or layer (`kernelInitializer: tf.initializers.glorotUniform({ seed: seed() })`). */
  seed(): number;
  /** Values per row of all inputs together (the single-input shape is `[width]`). */
  readonly width: number;
  /** Class count (multiclass), 2 (binary), or undefined (regression). */
  readonly numClasses: number | undefined;
}

/**
 * A user model function. It must build the model synchronously (random draws made while it runs are seeded).
 * @example
 * ```ts
 * const modelFn: ModelFn = (hp, spec, { tf, seed, width }) => {
 *   const m = tf.sequential();
 *   m.add(tf.layers.dense({ units: Number(hp.units ?? 16), activation: "relu", inputShape: [width], kernelInitializer: tf.initializers.heNormal({ seed: seed() }) }));
 *   m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
 *   return m; // compiled by Koan with the task's loss unless you compile it yourself
 * };
 * ```
 */
export type ModelFn = (hparams: Record<string, unknown>, spec: FeatureSpec, tools: ModelFnTools) => LayersModel | PlainModel;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  const name = typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v;
  return `${/^[aeiouAEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** True when `v` looks like a TF.js LayersModel. */
export function isLayersModel(tf: Tf, v: unknown): v is LayersModel {
  if (v instanceof tf.LayersModel) return true;
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.predict === "function" && typeof m.compile === "function" && typeof m.getWeights === "function" && Array.isArray(m.inputs) && Array.isArray(m.outputs);
}

/** Call `modelFn` with seeded randomness and check that it returned a model. */
export function callModelFn(
  modelFn: ModelFn,
  args: { tf: Tf; hparams: Record<string, unknown>; spec: FeatureSpec; width: number; numClasses: number | undefined; rng: Rng },
): { kind: "tfjs"; model: LayersModel } | { kind: "plain"; model: PlainModel } {
  const seeds = args.rng.fork("seeds");
  const tools: ModelFnTools = {
    tf: args.tf,
    seed: () => drawSeed(seeds),
    width: args.width,
    numClasses: args.numClasses,
  };
  let result: unknown;
  try {
    result = withSeededRandom(args.rng.fork("init"), () => modelFn(args.hparams, args.spec, tools));
  } catch (e) {
    if (e instanceof KoanError) throw e;
    throw new KoanError("USAGE", `modelFn threw: ${(e as Error).message}`, { cause: e });
  }
  if (result instanceof Promise || (typeof result === "object" && result !== null && typeof (result as { then?: unknown }).then === "function")) {
    throw new KoanError("USAGE", "modelFn returned a Promise; it must build and return the model synchronously", { hint: "remove async from modelFn" });
  }
  if (isLayersModel(args.tf, result)) return { kind: "tfjs", model: result };
  if (isPlainModel(result)) return { kind: "plain", model: result };
  throw new KoanError("USAGE", `modelFn must return a tf.LayersModel (tf.sequential() or tf.model()) or an object with fit/predict/save/load, got ${describe(result)}`);
}

/** How labels are fed to a TF.js model: class index column, one-hot rows, or the value. */
export type TargetFormat = "index" | "onehot" | "value";

/** The target format a compiled model's loss expects. */
export function targetFormat(model: LayersModel, task: TaskKind): TargetFormat {
  if (task !== "multiclass") return "value";
  const loss = model.loss;
  const name = typeof loss === "string" ? loss : Array.isArray(loss) ? String(loss[0]) : typeof loss === "function" ? (loss as { name?: string }).name ?? "" : "";
  return /categorical/i.test(name) && !/sparse/i.test(name) ? "onehot" : "index";
}
