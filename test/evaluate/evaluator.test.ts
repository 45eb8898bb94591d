import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pipeline } from "../../src/core/pipeline.js";
import { trainer, customTrainer } from "../../src/train/steps.js";
import type { ModelArtifact } from "../../src/train/model-artifact.js";
import type { Dataset } from "../../src/data/dataset/dataset.js";
import { evaluator, evaluatorStep, evaluatorWithBaseline } from "../../src/evaluate/steps.js";
import { lastBlessedEvaluation } from "../../src/evaluate/baseline.js";
import { evaluateModel } from "../../src/evaluate/evaluate.js";
import { bless } from "../../src/evaluate/thresholds.js";
import type { Evaluation } from "../../src/evaluate/types.js";
import { tempDir } from "../helpers.js";
import { adelieSpec, massSpec, penguinDataset, speciesSpec, SPECIES } from "../train/penguins.js";
import { penguinSource, project, specSource } from "../train/pipeline-helpers.js";
import { LogisticRegression } from "../train/logistic.js";

const SLICES = ["island_name", ["island_name", "sex"], { feature: "body_mass", boundaries: [3.5, 4.5] }];

const trainAndEvaluate = (name: string, trainParams: Record<string, unknown>, evalParams: Record<string, unknown>, evalStep = evaluator) =>
  pipeline({
    name,
    build: () => {
      const { dataset } = penguinSource();
      const { spec } = specSource(undefined, { params: { spec: speciesSpec } });
      const { model } = trainer({ dataset, spec }, { params: { batchSize: 16, hiddenUnits: [16], learningRate: 0.02, ...trainParams } });
      evalStep({ model, dataset }, { params: evalParams });
    },
  });

test("the evaluator computes metrics overall and per slice, checks thresholds and blesses; its predictions are the model's", async () => {
  const { koan, cleanup } = await project();
  try {
    const thresholds = [
      { metric: "accuracy", value: { lowerBound: 0.85 } },
      { metric: "log_loss", value: { upperBound: 0.5 } },
      { metric: "auc", slice: "island_name:Biscoe", value: { lowerBound: 0.8 } },
    ];
    const r = await koan.run(trainAndEvaluate("penguins", { epochs: 8 }, { splits: ["eval", "train"], slices: SLICES, thresholds }), { seed: 3 });
    assert.equal(r.status, "succeeded", r.error?.message);
    const art = r.outputs.evaluator?.evaluation;
    assert.equal(art?.type, "evaluation");
    assert.equal(art?.materializer, "koan.evaluation");
    const e = (await koan.load(art as never)) as Evaluation;
    assert.equal(e.format, "koan.evaluation");
    assert.equal(e.task, "multiclass");
    assert.deepEqual(e.splits.map((s) => s.split), ["eval", "train"]);
    const ev = e.splits[0] as Evaluation["splits"][number];
    assert.equal(ev.overall.exampleCount, 69);
    assert.deepEqual(ev.overall.confusionMatrix?.labels, SPECIES);
    assert.equal(ev.overall.confusionMatrix?.matrix.flat().reduce((a, b) => a + b, 0), 69);
    assert.ok((ev.overall.metrics.accuracy as number) > 0.85);
    assert.equal(ev.overall.calibration?.length, 10);
    assert.deepEqual(Object.keys(ev.overall.perClass ?? {}), SPECIES);
    // Slices: islands partition the split; crossed and bucketed slices are there too.
    const islands = ev.slices.filter((s) => s.slice.startsWith("island_name:"));
    assert.deepEqual(islands.map((s) => s.slice), ["island_name:Biscoe", "island_name:Dream", "island_name:Torgersen"]);
    assert.equal(islands.reduce((n, s) => n + s.exampleCount, 0), 69);
    assert.ok(ev.slices.some((s) => s.slice.startsWith("island_name_X_sex:Biscoe_X_")));
    const buckets = ev.slices.filter((s) => s.slice.startsWith("body_mass:"));
    assert.deepEqual(buckets.map((s) => s.slice).sort(), ["body_mass:[-inf, 3.5)", "body_mass:[3.5, 4.5)", "body_mass:[4.5, inf)"]);
    assert.equal(buckets.reduce((n, s) => n + s.exampleCount, 0), 69);
    // Blessing.
    assert.equal(e.blessing.blessed, true, e.blessing.reasons.join("; "));
    assert.deepEqual(e.blessing.checks.map((c) => c.status), ["passed", "passed", "passed"]);
    assert.equal((art?.meta as { blessed: boolean }).blessed, true);
    // The evaluator's numbers come from the model's own predictions: recompute accuracy and log loss from them.
    const m = (await koan.load(r.outputs.trainer?.model as never)) as ModelArtifact;
    const data = (await koan.load(r.outputs.penguins?.dataset as never)) as Dataset;
    const rows: Record<string, unknown>[] = [];
    for await (const row of data.rows("eval", { int64: "number" })) rows.push(row);
    const predictor = await m.predictor();
    const preds = (await predictor.predict(rows as never)) as number[][];
    predictor.dispose();
    let hits = 0;
    let loss = 0;
    preds.forEach((p, i) => {
      const y = SPECIES.indexOf(rows[i]?.species as string);
      if (p.indexOf(Math.max(...p)) === y) hits++;
      loss += -Math.log(Math.min(1 - 1e-7, Math.max(1e-7, (p[y] as number) / p.reduce((a, b) => a + b, 0))));
    });
    assert.equal(ev.overall.metrics.accuracy, hits / 69);
    assert.equal(ev.overall.metrics.log_loss, loss / 69);
    // Per-split metrics are logged.
    const logged = await koan.metadata.metricsOfRun(r.runId);
    assert.equal(logged.find((x) => x.name === "eval/accuracy")?.value, ev.overall.metrics.accuracy);
  } finally {
    await cleanup();
  }
});

test("failed thresholds record blessed: false with reasons; change thresholds compare with a baseline evaluation input", async () => {
  const { koan, cleanup } = await project();
  try {
    const p = pipeline({
      name: "compare",
      build: () => {
        const { dataset } = penguinSource();
        const { spec } = specSource(undefined, { params: { spec: speciesSpec } });
        const good = trainer({ dataset, spec }, { name: "good", params: { epochs: 8, batchSize: 16, hiddenUnits: [16], learningRate: 0.02 } });
        const weak = trainer({ dataset, spec }, { name: "weak", params: { epochs: 1, batchSize: 64, hiddenUnits: [2], learningRate: 0.001 } });
        const base = evaluator({ model: good.model, dataset }, { name: "eval_good", params: { thresholds: [{ metric: "accuracy", value: { lowerBound: 0.999 } }] } });
        const change = [
          { metric: "accuracy", change: { direction: "higher_is_better" as const, absolute: -0.01 } },
          { metric: "log_loss", change: { direction: "lower_is_better" as const, relative: 0.1 } },
        ];
        evaluatorWithBaseline({ model: weak.model, dataset, baseline: base.evaluation }, { name: "eval_weak", params: { thresholds: change } });
        evaluatorWithBaseline({ model: good.model, dataset, baseline: base.evaluation }, { name: "eval_same", params: { thresholds: change } });
      },
    });
    const r = await koan.run(p, { seed: 8 });
    assert.equal(r.status, "succeeded", r.error?.message);
    const load = async (step: string) => (await koan.load(r.outputs[step]?.evaluation as never)) as Evaluation;
    const good = await load("eval_good");
    assert.equal(good.blessing.blessed, false);
    assert.match(good.blessing.reasons[0] as string, /^accuracy on eval = 0\.\d+, not ≥ 0\.999$/);
    const weak = await load("eval_weak");
    assert.equal(weak.blessing.blessed, false);
    assert.equal(weak.blessing.checks.length, 2);
    assert.ok(weak.blessing.checks.every((c) => c.status === "failed" && c.kind === "change"));
    assert.match(weak.blessing.reasons[0] as string, /accuracy on eval = .* vs baseline .* \(change -0\.\d+\): outside change ≥ -0\.01/);
    assert.equal(weak.blessing.checks[0]?.baseline, good.splits[0]?.overall.metrics.accuracy);
    const same = await load("eval_same");
    assert.equal(same.blessing.blessed, true, same.blessing.reasons.join("; "));
    assert.deepEqual(same.splits, good.splits, "the same model on the same data gives the same metrics");
  } finally {
    await cleanup();
  }
});

test("the last blessed evaluation of the pipeline is the baseline: none at first (skipped), then compared; it is part of the cache key", async () => {
  const { koan, cleanup } = await project();
  try {
    const evaluate = evaluatorStep({ baseline: lastBlessedEvaluation(koan, { pipeline: "lineage" }) });
    const thresholds = [{ metric: "accuracy", value: { lowerBound: 0.5 } }, { metric: "accuracy", change: { direction: "higher_is_better", absolute: -0.01 } }];
    const first = await koan.run(trainAndEvaluate("lineage", { epochs: 8 }, { thresholds }, evaluate), { seed: 1 });
    assert.equal(first.status, "succeeded", first.error?.message);
    const e1 = (await koan.load(first.outputs.evaluator?.evaluation as never)) as Evaluation;
    assert.equal(e1.blessing.blessed, true);
    assert.equal(e1.blessing.baseline, null);
    assert.deepEqual(e1.blessing.checks.map((c) => c.status), ["passed", "skipped"]);
    assert.match(e1.blessing.reasons.join("\n"), /no baseline evaluation, change threshold not checked/);
    // A much weaker model: the change threshold against run 1 fails.
    const second = await koan.run(trainAndEvaluate("lineage", { epochs: 1, hiddenUnits: [2], learningRate: 0.0005, batchSize: 128 }, { thresholds }, evaluate), { seed: 1 });
    const e2 = (await koan.load(second.outputs.evaluator?.evaluation as never)) as Evaluation;
    assert.equal(e2.blessing.baseline?.id, first.outputs.evaluator?.evaluation?.id);
    assert.equal(e2.blessing.blessed, false);
    assert.equal(e2.blessing.checks[1]?.status, "failed");
    // Rerun of the first configuration: the baseline is now run 1's evaluation instead of none → re-evaluated (and
    // blessed); once more: the last blessed (run 3's) has the same metrics as run 1's → same cache key → cache hit.
    const third = await koan.run(trainAndEvaluate("lineage", { epochs: 8 }, { thresholds }, evaluate), { seed: 1 });
    assert.equal(third.steps.find((s) => s.step === "evaluator")?.cacheHit, false, "the baseline changed from none to run 1's: re-evaluated");
    const e3 = (await koan.load(third.outputs.evaluator?.evaluation as never)) as Evaluation;
    assert.equal(e3.blessing.baseline?.id, first.outputs.evaluator?.evaluation?.id, "the unblessed run 2 is not a baseline");
    assert.deepEqual(e3.blessing.checks.map((c) => c.status), ["passed", "passed"]);
    const fourth = await koan.run(trainAndEvaluate("lineage", { epochs: 8 }, { thresholds }, evaluate), { seed: 1 });
    assert.equal(fourth.steps.find((s) => s.step === "evaluator")?.cacheHit, true);
  } finally {
    await cleanup();
  }
});

test("bad evaluator input: a missing split, a slice feature that does not exist, a threshold on an unknown metric", async () => {
  const { koan, cleanup } = await project();
  try {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ splits: ["test"] }, /the split "test" to evaluate is not in the dataset/],
      [{ slices: ["beak_colour"] }, /slice feature "beak_colour" is not a feature of the dataset/],
      [{ slices: [{ feature: "sex", boundaries: [1] }] }, /slice feature "sex" holds strings: it cannot be bucketed/],
      [{ thresholds: [{ metric: "rmse", value: { upperBound: 1 } }] }, /threshold on unknown metric "rmse"/],
      [{ thresholds: [{ metric: "accuracy", split: "train", value: { lowerBound: 1 } }] }, /names split "train", which is not evaluated/],
    ];
    for (const [params, why] of cases) {
      const r = await koan.run(trainAndEvaluate("bad_eval", { epochs: 1 }, params));
      assert.equal(r.status, "failed", JSON.stringify(params));
      assert.match(r.error?.message ?? "", why, r.error?.message);
      assert.equal(r.outputs.evaluator, undefined);
    }
  } finally {
    await cleanup();
  }
});

test("model-agnostic: a plain model through the evaluator step, and any predict function through evaluateModel", async () => {
  const { koan, cleanup } = await project();
  try {
    const modelFn = () => new LogisticRegression();
    const r = await koan.run(
      pipeline({
        name: "plain",
        build: () => {
          const { dataset } = penguinSource();
          const { spec } = specSource(undefined, { params: { spec: adelieSpec } });
          const { model } = customTrainer({ name: "logreg", modelFn })({ dataset, spec }, { params: { epochs: 30, batchSize: 32, learningRate: 0.5 } });
          evaluatorStep({ plainModel: modelFn })({ model, dataset }, { params: { slices: ["island_name"], thresholds: [{ metric: "auc", value: { lowerBound: 0.95 } }] } });
        },
      }),
      { seed: 6 },
    );
    assert.equal(r.status, "succeeded", r.error?.message);
    const e = (await koan.load(r.outputs.evaluator?.evaluation as never)) as Evaluation;
    assert.equal(e.task, "binary");
    assert.deepEqual(e.splits[0]?.overall.confusionMatrix?.labels, ["0", "1"]);
    assert.equal(e.blessing.blessed, true, e.blessing.reasons.join("; "));
    assert.equal((e.model as { framework: string }).framework, "plain");
  } finally {
    await cleanup();
  }
  // Regression with a plain function: predict body mass as 4.2 kg for everyone.
  const { dir, cleanup: done } = await tempDir();
  try {
    const data = await penguinDataset(join(dir, "data"));
    const e = await evaluateModel({ dataset: data, predict: (rows) => rows.map(() => 4.2), label: massSpec.label, splits: ["eval"], slices: [[{ feature: "island_name" }]], residualBins: 4 });
    const o = e.splits[0]?.overall;
    let abs = 0;
    let n = 0;
    for await (const row of data.rows("eval")) {
      abs += Math.abs((row.body_mass as number) - 4.2);
      n++;
    }
    assert.ok(Math.abs((o?.metrics.mae as number) - abs / n) < 1e-12);
    assert.ok((o?.metrics.r2 as number) < 0, "a constant guess is worse than the mean");
    assert.equal(o?.residualHistogram?.length, 4);
    assert.equal(o?.residualHistogram?.reduce((a, b) => a + b.count, 0), n);
    await assert.rejects(evaluateModel({ dataset: data, predict: (rows) => rows.map(() => [1, 2]), label: massSpec.label, splits: ["eval"] }), /prediction for row 0 of split "eval" has 2 values, expected 1/);
    await assert.rejects(evaluateModel({ dataset: data, predict: () => [], label: massSpec.label, splits: ["eval"] }), /predict returned 0 predictions for 69 rows/);
  } finally {
    await done();
  }
});

test("thresholds: bounds are inclusive; relative change; undefined values fail value checks", () => {
  const split = (metrics: Record<string, number | null>) => [{ split: "eval", overall: { slice: "Overall", values: {}, exampleCount: 10, metrics }, slices: [] }];
  const base = { id: "b1", evaluation: { splits: split({ auc: 0.8, loss: 0.5 }), model: null } as unknown as Evaluation };
  const b = bless(split({ auc: 0.8, loss: 0.56 }), [
    { metric: "auc", value: { lowerBound: 0.8, upperBound: 0.8 } },
    { metric: "loss", change: { direction: "lower_is_better", relative: 0.1 } },
    { metric: "auc", change: { direction: "higher_is_better", absolute: 0 } },
  ], base);
  assert.deepEqual(b.checks.map((c) => c.status), ["passed", "failed", "passed"]);
  assert.equal(b.blessed, false);
  assert.equal(b.baseline?.id, "b1");
  const u = bless(split({ auc: null }), [{ metric: "auc", value: { lowerBound: 0.5 } }], undefined);
  assert.equal(u.blessed, false);
  assert.match(u.reasons[0] as string, /auc on eval is undefined on this data/);
  assert.deepEqual(bless(split({ auc: 1 }), [], undefined).reasons, ["no thresholds set"]);
});
