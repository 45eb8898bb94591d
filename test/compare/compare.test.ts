/** `compareRuns` and `koan compare`: differing parameters, versions, metrics with the best marked, bad ids. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { bestIndexes, metricDirection } from "../../src/compare/direction.js";
import { compareRuns } from "../../src/compare/compare.js";
import { flattenParams } from "../../src/compare/flatten.js";
import { evaluationMetrics } from "../../src/compare/slices.js";
import { koan as cli } from "../helpers.js";
import { makeFixture, type UiFixture } from "../ui/fixture.js";

describe("rules", () => {
  test("lower is better for losses, errors and costs; higher for everything else", () => {
    for (const n of ["loss", "val_loss", "valLoss", "eval/rmse", "mae", "error_rate", "p95LatencyMs", "log_loss", "perplexity", "train.loss"]) assert.equal(metricDirection(n), "min", n);
    for (const n of ["accuracy", "auc", "f1", "precision", "recall", "r2", "rows", "glossary"]) assert.equal(metricDirection(n), "max", n);
  });

  test("best indexes: ties all count; none with fewer than two values", () => {
    assert.deepEqual(bestIndexes([0.3, 0.1, 0.1], "min"), [1, 2]);
    assert.deepEqual(bestIndexes([0.3, null, 0.9], "max"), [2]);
    assert.deepEqual(bestIndexes([0.3, null], "max"), []);
  });

  test("parameters flatten to step.key; evaluation slices normalise", () => {
    assert.deepEqual(flattenParams({ train: { epochs: 3, opt: { lr: 0.1 }, layers: [8, 8] }, load: {} }), { "train.epochs": 3, "train.layers": [8, 8], "train.opt.lr": 0.1 });
    assert.deepEqual(evaluationMetrics({ overall: { auc: 0.9 }, slices: [{ slice: { b: "2", a: "1" }, metrics: { auc: 0.8, note: "x" } }] }), [
      { slice: null, name: "auc", value: 0.9 },
      { slice: "a=1,b=2", name: "auc", value: 0.8 },
    ]);
    assert.deepEqual(evaluationMetrics("nope"), []);
  });
});

describe("comparing runs", () => {
  let fx: UiFixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(async () => {
    await fx?.cleanup();
  });

  test("differing parameters, code and dataset versions, metrics with the best marked", async () => {
    const c = await compareRuns(fx.koan, [fx.a.runId, fx.b.runId]);
    const differing = c.params.filter((p) => p.differs);
    assert.deepEqual(differing.map((p) => [p.key, p.values]), [["train.epochs", [5, 9]], ["train.lr", [0.1, 0.2]]]);
    assert.ok(c.params.some((p) => p.key === "train.optimizer" && !p.differs));
    assert.ok(c.code.every((r) => !r.differs), "same code");
    assert.deepEqual(c.datasets.map((d) => [d.key, d.differs]), [["load.rows", false]], "the source step's output is the dataset version");
    const loss = c.metrics.find((m) => m.key === "train.loss");
    assert.equal(loss?.direction, "min");
    assert.deepEqual(loss?.best, [1]);
    const acc = c.metrics.find((m) => m.key === "evaluate.accuracy");
    assert.equal(acc?.direction, "max");
    assert.deepEqual(acc?.best, [1]);
    assert.deepEqual(c.metrics.find((m) => m.key === "load.rows")?.values, [6, 6], "a cache hit contributes the reused step's metrics");
    const curve = c.series.find((s) => s.key === "train.loss");
    assert.deepEqual(curve?.points.map((p) => p.length), [5, 9]);
  });

  test("different pipelines: steps only one has show as missing; slice metrics from evaluations", async () => {
    const c = await compareRuns(fx.koan, [fx.a.runId, fx.full.runId]);
    assert.deepEqual(c.code.find((r) => r.key === "step evaluate")?.values.map((v) => v !== null), [true, false]);
    const slice = c.metrics.find((m) => m.key === "evaluate_full.accuracy[island=Biscoe]");
    assert.deepEqual(slice?.values, [null, 0.9]);
    assert.equal(slice?.slice, "island=Biscoe");
  });

  test("koan compare prints a table, or JSON with --json; bad ids exit 2", async () => {
    const table = await cli(["compare", fx.a.runId, fx.b.runId], fx.dir);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /train\.epochs\s+5\s+9/);
    assert.match(table.stdout, /train\.loss ↓\s+\S+\s+\S+ \*/);
    assert.doesNotMatch(table.stdout, /train\.optimizer/, "identical parameters are hidden");
    assert.match((await cli(["compare", fx.a.runId, fx.b.runId, "--all"], fx.dir)).stdout, /train\.optimizer\s+sgd\s+sgd/);
    const json = await cli(["compare", fx.a.runId.slice(0, 18), fx.b.runId, "--json"], fx.dir);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { runs: { id: string }[]; metrics: { key: string; best: number[] }[] };
    assert.deepEqual(parsed.runs.map((r) => r.id), [fx.a.runId, fx.b.runId]);
    const bad = await cli(["compare", fx.a.runId, "r-does-not-exist"], fx.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no run "r-does-not-exist"/);
    const one = await cli(["compare", fx.a.runId, "--json"], fx.dir);
    assert.equal(one.code, 2);
    assert.equal(JSON.parse(one.stdout).error.code, "USAGE");
    assert.equal((await cli(["compare", fx.a.runId, fx.a.runId], fx.dir)).code, 2, "a run given twice");
  });
});
