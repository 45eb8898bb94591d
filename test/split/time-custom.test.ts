import { test } from "node:test";
import assert from "node:assert/strict";
import { customSplit, fileSource, rowsSource, timeSplit } from "../../src/index.js";
import { parseTime } from "../../src/steps/split/index.js";
import { contentHash, failure, generatedRows, output, project, rowsOf, runPipeline, WEATHER_CSV } from "./util.js";

test("ISO 8601 dates parse as UTC unless they carry an offset; anything else is rejected", () => {
  assert.equal(parseTime("2014-01-31"), Date.UTC(2014, 0, 31));
  assert.equal(parseTime("2014-01-31T12:30"), Date.UTC(2014, 0, 31, 12, 30));
  assert.equal(parseTime("2014-01-31 12:30:15.5+02:00"), Date.UTC(2014, 0, 31, 10, 30, 15, 500));
  assert.equal(parseTime("2014-01-31T00:00:00Z"), Date.UTC(2014, 0, 31));
  for (const bad of ["31/01/2014", "2014-02-30", "2014-13-01", "soon", ""]) assert.ok(Number.isNaN(parseTime(bad)), bad);
});

test("time split at given dates: no row of an earlier split is later than a row of a later split", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await runPipeline(koan, () => {
      const { dataset } = fileSource(undefined, { params: { path: WEATHER_CSV, shards: 3 } });
      timeSplit({ dataset }, { params: { column: "date", splits: ["train", "eval", "test"], at: ["2014-01-01", "2015-01-01"] } });
    });
    const ds = await output(koan, r, "time_split");
    const dates = async (s: string) => (await rowsOf(ds, s)).map((x) => x.date as string).sort();
    const [train, evals, test_] = [await dates("train"), await dates("eval"), await dates("test")];
    assert.equal(train.length + evals.length + test_.length, 1461);
    assert.equal(train[0], "2012-01-01");
    assert.equal(train.at(-1), "2013-12-31");
    assert.equal(evals[0], "2014-01-01");
    assert.equal(evals.at(-1), "2014-12-31");
    assert.equal(test_[0], "2015-01-01");
    assert.equal(evals.length, 365);
  } finally {
    await cleanup();
  }
});

test("time split by fractions on a numeric column: cut points from the sorted timestamps, ties kept together", async () => {
  const { koan, cleanup } = await project();
  try {
    // 100 rows, timestamps 0..49 twice (ties), shuffled order.
    const rows = Array.from({ length: 100 }, (_, i) => ({ t: (i * 37) % 100 % 50, i }));
    const r = await runPipeline(koan, () => {
      const { dataset } = rowsSource(undefined, { params: { rows, columns: { t: "int64" }, shards: 2 } });
      timeSplit({ dataset }, { params: { column: "t", splits: ["train", "test"], fractions: [0.7, 0.3] } });
    });
    const ds = await output(koan, r, "time_split");
    const train = (await rowsOf(ds, "train")).map((x) => x.t as number);
    const test_ = (await rowsOf(ds, "test")).map((x) => x.t as number);
    assert.equal(train.length, 70);
    assert.ok(Math.max(...train) < Math.min(...test_), "no future rows in train");
    assert.deepEqual((ds.manifest.source as { cuts: number[] }).cuts, [35]);
  } finally {
    await cleanup();
  }
});

test("time split: bad parameters and unparseable or missing timestamps fail with the row", async () => {
  const { koan, cleanup } = await project();
  try {
    const run = (rows: Record<string, unknown>[], params: Record<string, unknown>) =>
      runPipeline(koan, () => {
        const { dataset } = rowsSource(undefined, { params: { rows: rows as never, columns: { d: "bytes" } } });
        timeSplit({ dataset }, { params: { column: "d", splits: ["train", "test"], ...params } as never });
      });
    const good = [{ d: "2020-01-01" }, { d: "2020-06-01" }];
    assert.match(failure(await run([{ d: "2020-01-01" }, { d: "yesterday" }], { fractions: [0.5, 0.5] })), /column "d": "yesterday" is not an ISO 8601 date \(row 1 of split "all"\)/);
    assert.match(failure(await run([{ d: "2020-01-01" }, { d: null }], { at: ["2020-03-01"] })), /column "d" is missing \(row 1/);
    assert.match(failure(await run(good, { at: ["2020-03-01"], fractions: [0.5, 0.5] })), /exactly one of at/);
    assert.match(failure(await run(good, { fractions: [0.6, 0.6] })), /fractions sum to 1\.2, not 1/);
    assert.match(failure(await run(good, { at: [5] })), /must be a number|is not an ISO 8601 date/);
    const skip = await output(koan, await run([{ d: "2020-01-01" }, { d: null }, { d: "2021-01-01" }], { at: ["2020-03-01"], missing: "skip" }), "time_split");
    assert.equal(skip.rowCount("train") + skip.rowCount("test"), 2);
  } finally {
    await cleanup();
  }
});

test("custom split: a user function, cached by its code hash; bad return values name the row", async () => {
  const { koan, cleanup } = await project();
  try {
    const rows = generatedRows(50);
    const byParity = customSplit({ name: "by_parity", splits: ["train", "eval"], fn: (row) => ((row.id as number) % 5 === 0 ? "eval" : "train") });
    const byParity2 = customSplit({ name: "by_parity", splits: ["train", "eval"], fn: (row) => ((row.id as number) % 5 === 1 ? "eval" : "train") });
    assert.notEqual(byParity.definition.codeHash, byParity2.definition.codeHash, "the function's source is part of the code hash");
    const same = customSplit({ name: "by_parity", splits: ["train", "eval"], fn: (row) => ((row.id as number) % 5 === 0 ? "eval" : "train") });
    assert.equal(same.definition.codeHash, byParity.definition.codeHash);

    const build = (s: typeof byParity) => () => {
      const { dataset } = rowsSource(undefined, { params: { rows, columns: { id: "int64" } } });
      s({ dataset });
    };
    const r = await runPipeline(koan, build(byParity));
    const ds = await output(koan, r, "by_parity");
    assert.deepEqual((await rowsOf(ds, "eval")).map((x) => x.id), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    assert.equal(contentHash(r, "by_parity"), contentHash(await runPipeline(koan, build(byParity)), "by_parity"));

    const cached = await koan.run((await import("../../src/index.js")).pipeline({ name: "c", build: build(byParity) }));
    const again = await koan.run((await import("../../src/index.js")).pipeline({ name: "c", build: build(byParity) }));
    assert.equal(again.steps.find((s) => s.step === "by_parity")?.cacheHit, true);
    const changed = await koan.run((await import("../../src/index.js")).pipeline({ name: "c", build: build(byParity2) }));
    assert.equal(changed.steps.find((s) => s.step === "by_parity")?.cacheHit, false, "an edited function re-runs");
    void cached;

    const bad = customSplit({ name: "bad", splits: ["train"], fn: (row) => ((row.id as number) === 7 ? "nowhere" : "train") });
    assert.match(failure(await runPipeline(koan, build(bad))), /returned "nowhere" for row 7 of split "all", which is not one of its splits \(train\)/);
    const throws = customSplit({ name: "throws", splits: ["train"], fn: (row) => { if (row.id === 3) throw new Error("boom"); return "train"; } });
    const t = await runPipeline(koan, build(throws));
    assert.match(failure(t), /the split function threw on row 3 of split "all": boom/);
    assert.equal(t.outputs.throws, undefined);
  } finally {
    await cleanup();
  }
});
