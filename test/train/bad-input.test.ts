import { test } from "node:test";
import assert from "node:assert/strict";
import { pipeline } from "../../src/core/pipeline.js";
import { trainer, featureSpecStep } from "../../src/train/steps.js";
import { checkFeatureSpec } from "../../src/train/feature-spec.js";
import { specFromTransform } from "../../src/train/adapter.js";
import { adelieSpec, INPUTS, massSpec, speciesSpec } from "./penguins.js";
import { penguinSource, project, specSource } from "./pipeline-helpers.js";

const train = (spec: unknown, params: Record<string, unknown>, source: Record<string, unknown> = {}) =>
  pipeline({
    name: "bad",
    build: () => {
      const { dataset } = penguinSource(undefined, { params: source });
      const { spec: s } = specSource(undefined, { params: { spec } });
      trainer({ dataset, spec: s }, { params: { epochs: 2, batchSize: 16, ...params } });
    },
  });

test("bad data and settings fail before or during training with errors that name the problem", async () => {
  const { koan, cleanup } = await project();
  try {
    const cases: [string, ReturnType<typeof train>, RegExp][] = [
      ["one class", train(adelieSpec, {}, { oneClass: true }), /label "adelie" has one class only \(1\) in the training split "train": a classifier needs at least two/],
      ["nan loss", train(massSpec, { batchSize: 8, shuffle: false }, { nanRow: 1 }), /training diverged: the loss is NaN in epoch 0 \(batch 0\)/],
      ["no train split", train(speciesSpec, { trainSplit: "training" }), /the training split "training" is not in the dataset/],
      ["no validation split", train(speciesSpec, { validationSplit: "validation" }), /the validation split "validation" is not in the dataset.*/],
      ["missing feature", train({ ...speciesSpec, inputs: [...INPUTS, { name: "beak", dtype: "float32", shape: [] }] }, {}), /model input "beak" is not a feature of the dataset/],
      ["string feature", train({ ...speciesSpec, inputs: [{ name: "sex", dtype: "float32", shape: [] }] }, {}), /model input "sex" holds strings; the trainer needs numbers/],
      ["wrong width", train({ ...speciesSpec, inputs: [{ name: "island", dtype: "float32", shape: [2] }] }, {}), /feature "island" has 3 values in row 0 of split "train", the feature spec says 2/],
      ["unknown class", train({ ...speciesSpec, label: { name: "species", kind: "multiclass", classes: ["Adelie", "Gentoo"] } }, {}), /label "species" is "Chinstrap" in row \d+ of split "train", which is not one of the classes/],
      ["early stop without validation", train(speciesSpec, { validationSplit: null, earlyStopping: { patience: 1 } }), /early stopping watches "val_loss" but there is no validation split/],
      ["bad spec", train({ inputs: [], label: { name: "x", kind: "binary" } }, {}), /inputs/],
    ];
    for (const [name, p, why] of cases) {
      const r = await koan.run(p);
      assert.equal(r.status, "failed", name);
      assert.match(r.error?.message ?? "", why, `${name}: ${r.error?.message}`);
      assert.equal(r.outputs.trainer, undefined, `${name}: no model is stored`);
    }
  } finally {
    await cleanup();
  }
});

test("feature specs: checks, inference from a numeric dataset, and the adapter from a transform's spec", async () => {
  assert.throws(() => checkFeatureSpec({ ...adelieSpec, label: { name: "bill_length", kind: "binary" } }), /the label "bill_length" is also an input/);
  assert.throws(() => checkFeatureSpec({ ...adelieSpec, label: { name: "adelie", kind: "binary", classes: ["a", "b", "c"] } }), /a binary label needs exactly 2 classes/);
  assert.throws(() => checkFeatureSpec({ inputs: [INPUTS[0], INPUTS[0]], label: adelieSpec.label }), /input "bill_length" is listed twice/);
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(
      pipeline({
        name: "infer",
        build: () => {
          const { dataset } = penguinSource();
          featureSpecStep({ dataset }, { params: { label: { name: "species", kind: "multiclass", classes: ["Adelie", "Chinstrap", "Gentoo"] }, inputs: ["bill_length", "island"] } });
        },
      }),
    );
    assert.equal(r.status, "succeeded", r.error?.message);
    assert.deepEqual(await koan.load(r.outputs.feature_spec?.spec as never), {
      inputs: [
        { name: "bill_length", dtype: "float32", shape: [] },
        { name: "island", dtype: "float32", shape: [3] },
      ],
      label: { name: "species", kind: "multiclass", classes: ["Adelie", "Chinstrap", "Gentoo"] },
    });
  } finally {
    await cleanup();
  }
  const fromTransform = {
    inputs: [{ name: "bill", dtype: "float32", shape: [], offset: 0, width: 1 }, { name: "island", dtype: "int64", shape: [3], offset: 1, width: 3 }],
    width: 4,
    label: { name: "species", dtype: "int64", task: "classification" as const, classes: ["Adelie", "Chinstrap", "Gentoo"] },
    raw: [],
  };
  assert.deepEqual(specFromTransform(fromTransform), {
    inputs: [{ name: "bill", dtype: "float32", shape: [] }, { name: "island", dtype: "float32", shape: [3] }],
    label: { name: "species", kind: "multiclass", classes: ["Adelie", "Chinstrap", "Gentoo"] },
  });
  assert.equal(specFromTransform({ ...fromTransform, label: { ...fromTransform.label, classes: ["no", "yes"] } }).label.kind, "binary");
  assert.equal(specFromTransform({ ...fromTransform, label: { name: "mass", task: "regression" } }).label.kind, "regression");
  assert.throws(() => specFromTransform({ ...fromTransform, label: null }), /the transform has no label/);
});
