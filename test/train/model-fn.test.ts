import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "../../src/core/pipeline.js";
import { customTrainer } from "../../src/train/steps.js";
import type { ModelFn } from "../../src/train/model-fn.js";
import { ModelArtifact } from "../../src/train/model-artifact.js";
import { adelieSpec, speciesSpec } from "./penguins.js";
import { penguinSource, project, specSource } from "./pipeline-helpers.js";
import { LogisticRegression } from "./logistic.js";

const run = (modelFn: ModelFn, spec: unknown, params: Record<string, unknown> = {}, name = "trainer") =>
  pipeline({
    name: "model_fn",
    build: () => {
      const { dataset } = penguinSource();
      const { spec: s } = specSource(undefined, { params: { spec } });
      customTrainer({ name, modelFn })({ dataset, spec: s }, { params: { epochs: 3, batchSize: 16, ...params } });
    },
  });

/** One named input per feature, concatenated: the multi-input path. */
const multiInput: ModelFn = (hp, spec, { tf, seed }) => {
  const inputs = spec.inputs.map((i) => tf.input({ name: i.name, shape: i.shape.length ? [...i.shape] : [1] }));
  const joined = tf.layers.concatenate().apply(inputs) as ReturnType<typeof tf.input>;
  const hidden = tf.layers.dense({ units: Number(hp.units), activation: "relu", kernelInitializer: tf.initializers.heNormal({ seed: seed() }) }).apply(joined);
  const out = tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }) }).apply(hidden) as ReturnType<typeof tf.input>;
  const m = tf.model({ inputs, outputs: out });
  m.compile({ optimizer: tf.train.adam(0.05), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return m;
};

test("a modelFn with one named input per feature, compiled with one-hot cross-entropy, trains and predicts from rows", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(run(multiInput, speciesSpec, { hparams: { units: 12 }, epochs: 6 }), { seed: 9 });
    assert.equal(r.status, "succeeded", r.error?.message);
    const m = (await koan.load(r.outputs.trainer?.model as never)) as ModelArtifact;
    assert.equal(m.info.trainer.kind, "model_fn");
    assert.equal(m.info.trainer.name, "multiInput");
    assert.deepEqual((m.info.params as { hparams: unknown }).hparams, { units: 12 });
    assert.ok((m.info.history.val_accuracy?.at(-1) ?? 0) > 0.8, String(m.info.history.val_accuracy));
    const predictor = await m.predictor();
    const [p] = await predictor.predict([{ bill_length: 1.2, bill_depth: -1.5, flipper: 1.3, island: [1, 0, 0] }]);
    predictor.dispose();
    assert.ok(Array.isArray(p) && p.length === 3);
    assert.equal((p as number[]).indexOf(Math.max(...(p as number[]))), 2, "a long-flippered Biscoe penguin is a Gentoo");
    // Unseeded user randomness is seeded too: a rerun gives the same weights.
    const unseeded: ModelFn = (_hp, _spec, { tf, width }) => {
      const s = tf.sequential();
      s.add(tf.layers.dense({ units: 8, activation: "relu", inputShape: [width] }));
      s.add(tf.layers.dropout({ rate: 0.2 }));
      s.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
      return s; // not compiled: Koan compiles it for the task
    };
    const sha = async () => {
      const x = await koan.run(run(unseeded, adelieSpec, { validationSplit: null }, "unseeded"), { seed: 4, cache: false });
      assert.equal(x.status, "succeeded", x.error?.message);
      const mm = (await koan.load(x.outputs.unseeded?.model as never)) as ModelArtifact;
      assert.deepEqual(Object.keys(mm.info.history).sort(), ["accuracy", "loss"]);
      return createHash("sha256").update(await readFile(join(mm.folder, "weights.bin"))).digest("hex");
    };
    assert.equal(await sha(), await sha());
  } finally {
    await cleanup();
  }
});

test("bad modelFns fail with clear errors: not a model, a Promise, input or output shapes that do not fit", async () => {
  const { koan, cleanup } = await project();
  try {
    const cases: [string, ModelFn, RegExp][] = [
      ["not_a_model", () => ({ layers: [] }) as never, /modelFn must return a tf\.LayersModel .* or an object with fit\/predict\/save\/load, got an Object/],
      ["promise", (async () => undefined) as never, /modelFn returned a Promise/],
      [
        "wrong_input",
        (_hp, _s, { tf }) => {
          const m = tf.sequential();
          m.add(tf.layers.dense({ units: 3, activation: "softmax", inputShape: [4] }));
          return m;
        },
        /the model's input shape \[null, 4\] does not match the features: they give 6 values per row \(bill_length \[\], bill_depth \[\], flipper \[\], island \[3\]\)/,
      ],
      [
        "wrong_output",
        (_hp, _s, { tf, width }) => {
          const m = tf.sequential();
          m.add(tf.layers.dense({ units: 2, activation: "softmax", inputShape: [width] }));
          return m;
        },
        /the model's output shape \[null, 2\] does not fit 3 classes: expected \[null, 3\]/,
      ],
      [
        "unknown_input",
        (_hp, _s, { tf }) => {
          const a = tf.input({ name: "bill_length", shape: [1] });
          const b = tf.input({ name: "beak", shape: [1] });
          const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(tf.layers.concatenate().apply([a, b])) as ReturnType<typeof tf.input>;
          return tf.model({ inputs: [a, b], outputs: out });
        },
        /the model's input "beak" is not a feature of the spec/,
      ],
      [
        "throws",
        () => {
          throw new Error("boom");
        },
        /modelFn threw: boom/,
      ],
    ];
    for (const [name, fn, why] of cases) {
      const r = await koan.run(run(fn, speciesSpec, {}, name));
      assert.equal(r.status, "failed", name);
      assert.match(r.error?.message ?? "", why, `${name}: ${r.error?.message}`);
      assert.equal(r.outputs[name], undefined, `${name}: no partial output`);
    }
  } finally {
    await cleanup();
  }
});

test("a plain TypeScript model (logistic regression) trains through the same trainer, is stored, and predicts after loading", async () => {
  const { koan, cleanup } = await project();
  try {
    const modelFn = (hp: Record<string, unknown>) => new LogisticRegression(Number(hp.l2 ?? 0));
    const p = run(modelFn, adelieSpec, { epochs: 20, batchSize: 32, learningRate: 0.5, hparams: { l2: 0.001 } }, "logreg");
    const r = await koan.run(p, { seed: 2 });
    assert.equal(r.status, "succeeded", r.error?.message);
    const m = (await koan.load(r.outputs.logreg?.model as never)) as ModelArtifact;
    assert.equal(m.info.framework, "plain");
    assert.equal(m.info.trainer.kind, "plain");
    assert.equal(m.info.backend, null);
    assert.deepEqual(await readdir(join(m.folder, "plain")), ["weights.json"]);
    assert.equal(m.info.history.loss?.length, 20);
    assert.ok((m.info.history.loss?.[19] as number) < (m.info.history.loss?.[0] as number));
    await assert.rejects(m.predictor(), /plain TypeScript model: loading it needs its modelFn/);
    const predictor = await m.predictor({ plainModel: modelFn });
    const [adelie, gentoo] = await predictor.predict([
      { bill_length: -1, bill_depth: 0.8, flipper: -1.2, island: [0, 0, 1] },
      { bill_length: 1, bill_depth: -1.5, flipper: 1.4, island: [1, 0, 0] },
    ]);
    assert.ok((adelie as number) > 0.5 && (gentoo as number) < 0.5, `${adelie} ${gentoo}`);
    const logs = (await koan.load(r.outputs.logreg?.logs as never)) as string;
    assert.deepEqual(await readdir(logs), ["train"]);
    const metrics = await koan.metadata.metricsOfRun(r.runId);
    assert.equal(metrics.filter((x) => x.name === "loss").length, 20);
    // Same seed, cache off: the same weights.
    const again = (await koan.load((await koan.run(p, { seed: 2, cache: false })).outputs.logreg?.model as never)) as ModelArtifact;
    assert.equal(await readFile(join(again.folder, "plain", "weights.json"), "utf8"), await readFile(join(m.folder, "plain", "weights.json"), "utf8"));
  } finally {
    await cleanup();
  }
});
