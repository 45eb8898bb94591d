/** `trainingPipeline`: the standard wiring, parts replaced by functions, and bad options. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { trainingPipeline } from "../../src/pipelines/training.js";
import { rowsSource } from "../../src/steps/sources/rows-source.js";
import { ratioSplit } from "../../src/steps/split/ratio-split.js";
import { statistics } from "../../src/steps/validation/statistics.js";
import type { ModelFn } from "../../src/train/model-fn.js";

const edges = (p: ReturnType<typeof trainingPipeline>): string[] =>
  p.spec().nodes.flatMap((n) => Object.entries(n.inputs).map(([port, ref]) => `${ref.node}.${ref.port} -> ${n.name}.${port}`)).sort();

test("the standard path: source → split → statistics/schema/validate, preprocess → transform_spec → trainer → bundle → evaluator", () => {
  const p = trainingPipeline({ name: "std", source: { path: "data.csv" }, preprocess: { label: "y" } });
  assert.deepEqual(p.spec().nodes.map((n) => n.name).sort(), ["bundle", "evaluator", "preprocess", "schema", "source", "split", "statistics", "trainer", "transform_spec", "validate"]);
  assert.deepEqual(edges(p), [
    "preprocess.dataset -> trainer.dataset",
    "preprocess.transform -> bundle.transform",
    "preprocess.transform -> transform_spec.transform",
    "schema.schema -> validate.schema",
    "source.dataset -> split.dataset",
    "split.dataset -> evaluator.dataset",
    "split.dataset -> preprocess.dataset",
    "split.dataset -> statistics.dataset",
    "statistics.statistics -> schema.statistics",
    "statistics.statistics -> validate.statistics",
    "trainer.model -> bundle.model",
    "transform_spec.spec -> trainer.spec",
    "bundle.bundle -> evaluator.bundle",
  ].sort());
  assert.deepEqual(p.spec().nodes.find((n) => n.name === "split")?.params, { ratios: { train: 0.8, eval: 0.2 } });
});

test("each part can be replaced: own source and split, no validation, a modelFn, no evaluator", () => {
  const modelFn: ModelFn = (_hp, _spec, { tf, width }) => tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [width] })] });
  const p = trainingPipeline({
    name: "custom",
    source: () => rowsSource(undefined, { name: "rows", params: { rows: [{ x: 1, y: 2 }] } }).dataset,
    split: (raw) => ratioSplit({ dataset: raw }, { name: "my_split", params: { ratios: { train: 0.5, eval: 0.5 }, key: "x" } }).dataset,
    validate: (splits) => void statistics({ dataset: splits }, { name: "my_stats" }),
    preprocess: { label: { name: "y", task: "regression" } },
    train: { modelFn, params: { epochs: 2 } },
    evaluate: false,
  });
  assert.deepEqual(p.spec().nodes.map((n) => n.name).sort(), ["bundle", "my_split", "my_stats", "preprocess", "rows", "trainer", "transform_spec"]);
  assert.equal(p.spec().nodes.find((n) => n.name === "trainer")?.step, "trainer");
  assert.deepEqual((p.spec().nodes.find((n) => n.name === "trainer")?.params as { epochs?: number }).epochs, 2);
});

test("bad options are refused when the pipeline is defined", () => {
  assert.throws(() => trainingPipeline({ name: "x", source: { path: "a.csv" }, preprocess: undefined as never }), /preprocess is required \(it names the label\)/);
  assert.throws(() => trainingPipeline({ name: "x", source: undefined as never, preprocess: { label: "y" } }), /source is required/);
});
