/**
 * Loss, last activation, metrics and optimizer from the task (what the built-in trainer uses, and what a
 * user model that is not compiled gets): binary → sigmoid + binary cross-entropy + accuracy; multiclass → softmax
 * + sparse categorical cross-entropy + accuracy; regression → linear + mean squared error + MAE.
 * @module
 */
import type { Optimizer } from "@tensorflow/tfjs";
import { KoanError } from "../core/errors.js";
import type { TaskKind } from "./feature-spec.js";
import type { OPTIMIZERS } from "./params.js";
import type { Tf } from "./tf.js";

/** An optimizer by name. */
export function makeOptimizer(tf: Tf, name: (typeof OPTIMIZERS)[number], learningRate: number): Optimizer {
  switch (name) {
    case "adam":
      return tf.train.adam(learningRate);
    case "sgd":
      return tf.train.sgd(learningRate);
    case "rmsprop":
      return tf.train.rmsprop(learningRate);
    case "adagrad":
      return tf.train.adagrad(learningRate);
    case "adamax":
      return tf.train.adamax(learningRate);
    case "adadelta":
      return tf.train.adadelta(learningRate);
    case "momentum":
      return tf.train.momentum(learningRate, 0.9);
    default:
      throw new KoanError("USAGE", `unknown optimizer "${String(name)}"`);
  }
}

/** Last activation, loss and metrics of a task. */
export function taskHead(task: TaskKind): { activation: "sigmoid" | "softmax" | "linear"; loss: string; metrics: string[] } {
  if (task === "binary") return { activation: "sigmoid", loss: "binaryCrossentropy", metrics: ["accuracy"] };
  if (task === "multiclass") return { activation: "softmax", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] };
  return { activation: "linear", loss: "meanSquaredError", metrics: ["mae"] };
}

/** Units of the output layer: 1, or the class count for multiclass. */
export function outputUnits(task: TaskKind, numClasses: number | undefined): number {
  return task === "multiclass" ? (numClasses as number) : 1;
}

/** Keras' metric names for TF.js ones (`acc` → `accuracy`). */
export function kerasName(name: string): string {
  return name === "acc" ? "accuracy" : name === "val_acc" ? "val_accuracy" : name;
}
