import { test } from "node:test";
import assert from "node:assert/strict";
import { categoricalSplit, categoricalRatioSplit, hybridSplit, fileSource, rowsSource } from "../../src/index.js";
import { contentHash, failure, generatedRows, output, penguinsJsonl, project, rowsOf, runPipeline, stepLog } from "./util.js";

const rows = generatedRows(200);
const source = () => rowsSource(undefined, { params: { rows, columns: { id: "int64" } } });

test("categorical split: listed values go to their split; unseen values are skipped, sent to a split, or an error", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const run = (params: Record<string, unknown>) =>
      runPipeline(koan, () => {
        const { dataset } = fileSource(undefined, { params: { path } });
        categoricalSplit({ dataset }, { params: { column: "Island", ...params } as never });
      });
    const skip = await run({ domains: { train: ["Biscoe", "Dream"], test: ["Torgersen"], empty: ["Atlantis"] } });
    const ds = await output(koan, skip, "categorical_split");
    const islands = async (s: string) => new Set((await rowsOf(ds, s)).map((r) => r.Island));
    assert.deepEqual(await islands("train"), new Set(["Biscoe", "Dream"]));
    assert.deepEqual(await islands("test"), new Set(["Torgersen"]));
    assert.equal(ds.rowCount("train") + ds.rowCount("test"), 344);
    assert.equal(ds.rowCount("empty"), 0);
    assert.match(await stepLog(koan, skip, "categorical_split"), /WARN\s+split "empty" is empty/);
    const counts = (ds.manifest.source as { counts: { categories: Record<string, Record<string, number>> } }).counts.categories;
    assert.deepEqual(counts.Torgersen, { test: 52 });
    assert.equal((counts.Biscoe?.train ?? 0) + (counts.Dream?.train ?? 0), ds.rowCount("train"));
    const metrics = await koan.metadata.metricsOfRun(skip.runId);
    assert.equal(metrics.find((m) => m.name === "rows.test.Torgersen")?.value, 52, "per-category counts are metrics too");
    assert.equal(metrics.find((m) => m.name === "rows.empty")?.value, 0);

    const other = await output(koan, await run({ domains: { train: ["Biscoe"] }, unseen: { split: "rest" } }), "categorical_split");
    assert.equal(other.rowCount("train") + other.rowCount("rest"), 344);
    assert.deepEqual(new Set((await rowsOf(other, "rest")).map((r) => r.Island)), new Set(["Dream", "Torgersen"]));

    const skipped = await output(koan, await run({ domains: { train: ["Biscoe"] } }), "categorical_split");
    assert.equal(skipped.rowCount("train"), 168);

    assert.match(failure(await run({ domains: { train: ["Biscoe"] }, unseen: "error" })), /column "Island" has the unlisted category "(Torgersen|Dream)" \(row \d+ of split "all"\)/);
    assert.match(failure(await run({ column: "Beak Length (mm)", domains: { train: ["1"] } })), /categorical split on column "Beak Length \(mm\)", which is numeric \(float\)/);
    assert.match(failure(await run({ column: "Nope", domains: { train: ["1"] } })), /split column "Nope" is not a column/);
    assert.match(failure(await run({ domains: { train: ["Biscoe"], eval: ["Biscoe"] } })), /listed for two splits/);
  } finally {
    await cleanup();
  }
});

test("categorical ratio split: whole categories per split (no group leaks), deterministic, listed categories cut exactly", async () => {
  const { koan, cleanup } = await project();
  try {
    const many = Array.from({ length: 300 }, (_, i) => ({ user: `u${i % 40}`, x: i }));
    const run = (params: Record<string, unknown>) =>
      runPipeline(koan, () => {
        const { dataset } = rowsSource(undefined, { params: { rows: many } });
        categoricalRatioSplit({ dataset }, { params: { column: "user", ratios: { train: 0.75, eval: 0.25 }, seed: 5, ...params } as never });
      });
    const a = await run({});
    assert.equal(contentHash(a, "categorical_ratio_split"), contentHash(await run({}), "categorical_ratio_split"));
    const ds = await output(koan, a, "categorical_ratio_split");
    const users = async (s: string) => new Set((await rowsOf(ds, s)).map((r) => r.user));
    const [train, evals] = [await users("train"), await users("eval")];
    for (const u of train) assert.ok(!evals.has(u), `${String(u)} is in both splits`);
    assert.equal(train.size + evals.size, 40);

    const listed = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const b = await output(koan, await run({ categories: listed, unseen: { split: "other" } }), "categorical_ratio_split");
    const bu = async (s: string) => new Set((await rowsOf(b, s)).map((r) => r.user));
    assert.equal((await bu("train")).size, 15, "75% of the 20 listed categories");
    assert.equal((await bu("eval")).size, 5);
    assert.equal((await bu("other")).size, 20, "the unlisted categories");
    const assignment = (b.manifest.source as { assignment: Record<string, string> }).assignment;
    assert.equal(Object.keys(assignment).length, 20);
  } finally {
    await cleanup();
  }
});

test("hybrid split: held-out categories go wholesale, every other category is split by ratio within itself", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await runPipeline(koan, () => {
      const { dataset } = source();
      hybridSplit({ dataset }, { params: { column: "cat", domains: { holdout: ["d"] }, ratios: { train: 0.8, eval: 0.2 }, key: "id", seed: 9 } });
    });
    const ds = await output(koan, r, "hybrid_split");
    assert.deepEqual([...ds.splits].sort(), ["eval", "holdout", "train"]);
    const byCat = async (s: string) => {
      const out: Record<string, number> = {};
      for (const row of await rowsOf(ds, s)) out[row.cat as string] = (out[row.cat as string] ?? 0) + 1;
      return out;
    };
    assert.deepEqual(await byCat("holdout"), { d: 50 });
    assert.deepEqual(await byCat("train"), { a: 40, b: 40, c: 40 }, "exactly 80% of each category");
    assert.deepEqual(await byCat("eval"), { a: 10, b: 10, c: 10 });
    const counts = (ds.manifest.source as { counts: { categories: Record<string, Record<string, number>> } }).counts.categories;
    assert.deepEqual(counts.a, { train: 40, eval: 10 });

    const loose = await output(koan, await runPipeline(koan, () => {
      const { dataset } = source();
      hybridSplit({ dataset }, { params: { column: "cat", ratios: { train: 0.5, eval: 0.5 }, exact: false, seed: 9 } });
    }), "hybrid_split");
    assert.equal(loose.rowCount("train") + loose.rowCount("eval"), 200);
  } finally {
    await cleanup();
  }
});
