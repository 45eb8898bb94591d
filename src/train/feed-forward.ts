/**
 * The built-in feed-forward network: dense hidden layers (with optional dropout) and a head chosen from the task.
 * Every kernel initializer is seeded from the step's random generator and layers have fixed names, so the same
 * seed builds the same network (and the same `model.json`) in any process.
 * @module
 */
import type { Rng } from "../core/rng.js";
import type { TaskKind } from "./feature-spec.js";
import { makeOptimizer, outputUnits, taskHead } from "./compile.js";
import type { FeedForwardParams } from "./params.js";
import { drawSeed } from "./seeded-random.js";
import type { LayersModel, Tf } from "./tf.js";

/** Build and compile the network for `width` input values. */
export function buildFeedForward(tf: Tf, args: { width: number; task: TaskKind; numClasses: number | undefined; params: FeedForwardParams; rng: Rng }): LayersModel {
  const { params, rng } = args;
  const head = taskHead(args.task);
  const model = tf.sequential({ name: "feed_forward" });
  params.hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        name: `hidden_${i + 1}`,
        units,
        activation: params.activation,
        ...(i === 0 ? { inputShape: [args.width] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: drawSeed(rng) }),
        biasInitializer: tf.initializers.zeros(),
      }),
    );
    // No fixed seed here: TF.js would then draw the same mask every batch. Dropout masks come from the seeded
    // Math.random installed around each training step instead.
    if (params.dropout > 0) model.add(tf.layers.dropout({ name: `dropout_${i + 1}`, rate: params.dropout }));
  });
  model.add(
    tf.layers.dense({
      name: "output",
      units: outputUnits(args.task, args.numClasses),
      activation: head.activation,
      ...(params.hiddenUnits.length === 0 ? { inputShape: [args.width] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: drawSeed(rng) }),
      biasInitializer: tf.initializers.zeros(),
    }),
  );
  model.compile({ optimizer: makeOptimizer(tf, params.optimizer, params.learningRate), loss: head.loss, metrics: head.metrics });
  return model;
}
