/** The examples beyond the quickstart: a regression and a custom `modelFn`, both through `trainingPipeline`. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import regression from "../../examples/regression/pipeline.js";
import custom from "../../examples/custom-model/pipeline.js";
import { Koan } from "../../src/client/client.js";
import type { Evaluation } from "../../src/evaluate/types.js";
import type { ModelArtifact } from "../../src/train/model-artifact.js";
import { tempDir } from "../helpers.js";

let koan: Koan;
let cleanup: () => Promise<void>;
before(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  koan = await Koan.open({ dir: t.dir, init: true });
});
after(async () => {
  await koan?.close();
  await cleanup?.();
});

test("examples/regression predicts fuel economy (R² above 0.7 on eval, per-origin slices, residuals)", async () => {
  const r = await koan.run(regression);
  assert.equal(r.status, "succeeded", r.error?.message);
  const source = r.steps.find((s) => s.step === "source");
  assert.ok(source);
  const e = (await koan.load(`${r.runId}/evaluator/evaluation`)) as Evaluation;
  assert.equal(e.task, "regression");
  const overall = e.splits[0]?.overall;
  assert.ok((overall?.metrics.r2 ?? 0) > 0.7, `r2 ${overall?.metrics.r2}`);
  assert.ok(overall?.residualHistogram?.length, "residual histogram");
  assert.deepEqual(e.splits[0]?.slices.map((s) => s.slice).sort(), ["Origin:Europe", "Origin:Japan", "Origin:USA"]);
  assert.equal(e.blessing.blessed, true);
  // The source's `where` left out the eight cars without a recorded fuel economy (406 in the file).
  const rows = (await koan.load(`${r.runId}/source/dataset`)) as { rowCount(split?: string): number };
  assert.equal(rows.rowCount(), 398);
});

test("examples/custom-model trains the user's residual network (modelFn) above 90% eval accuracy", async () => {
  const r = await koan.run(custom);
  assert.equal(r.status, "succeeded", r.error?.message);
  const model = (await koan.load(`${r.runId}/trainer/model`)) as ModelArtifact;
  assert.equal(model.info.trainer.kind, "model_fn");
  assert.equal(model.info.trainer.name, "residualMlp");
  const e = (await koan.load(`${r.runId}/evaluator/evaluation`)) as Evaluation;
  assert.ok((e.splits[0]?.overall.metrics.accuracy ?? 0) > 0.9, `accuracy ${e.splits[0]?.overall.metrics.accuracy}`);
});
