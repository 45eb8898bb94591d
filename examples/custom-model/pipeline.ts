/**
 * A custom model: the quickstart's data and preprocessing with your own TF.js network instead of the built-in
 * feed-forward trainer. `modelFn(hparams, spec, tools)` returns a compiled or uncompiled `tf.LayersModel` (Koan
 * compiles it for the task when it is not compiled); `tools.seed()` gives each initializer its own seed, so a
 * re-run with the same seed trains bit-identical weights. Hyperparameters are parameters of the run:
 *
 *   npx koan run examples/custom-model/pipeline.ts --param trainer.hparams='{"units":32,"dropout":0.1}'
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { trainingPipeline, type ModelFn } from "koan";

const penguins = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "penguins.json");

/** A residual MLP: dense → dropout → dense, with the input added back through a projection. */
export const residualMlp: ModelFn = (hp, spec, { tf, seed, width, numClasses }) => {
  const units = Number(hp.units ?? 24);
  const input = tf.input({ shape: [width] });
  const h1 = tf.layers.dense({ units, activation: "relu", kernelInitializer: tf.initializers.heNormal({ seed: seed() }) }).apply(input);
  const dropped = tf.layers.dropout({ rate: Number(hp.dropout ?? 0.2), seed: seed() }).apply(h1);
  const h2 = tf.layers.dense({ units, activation: "relu", kernelInitializer: tf.initializers.heNormal({ seed: seed() }) }).apply(dropped);
  const skip = tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }) }).apply(input);
  const joined = tf.layers.add().apply([h2, skip] as never);
  const output = tf.layers.dense({ units: numClasses ?? 1, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }) }).apply(joined);
  void spec;
  return tf.model({ inputs: input, outputs: output as never });
};

export default trainingPipeline({
  name: "penguins_custom",
  description: "Penguin species with a user-defined residual network (modelFn)",
  seed: 42,
  source: { path: penguins },
  split: { ratios: { train: 0.7, eval: 0.3 } },
  preprocess: { label: "Species" },
  train: { modelFn: residualMlp, params: { epochs: 40, batchSize: 16, learningRate: 0.01, hparams: { units: 24, dropout: 0.2 } } },
  evaluate: { slices: ["Island"], thresholds: [{ metric: "accuracy", value: { lowerBound: 0.9 } }] },
});
