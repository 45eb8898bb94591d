import { test } from "node:test";
import assert from "node:assert/strict";
import { preprocess, preprocessWith, rowsSource, type Dataset } from "../../src/index.js";
import { applyTransform, featureSpec, hashBucket, type CustomTransform, type FittedTransform } from "../../src/transform/index.js";
import { contentHash, failure, output, project, rowsOf, runPipeline } from "../split/util.js";

type Row = Record<string, string | number | null>;

/** A dataset with a train and an eval split built from rows. */
function twoSplits(train: Row[], evals: Row[], columns: Record<string, "int64" | "float" | "bytes"> = {}) {
  const a = rowsSource(undefined, { name: "train_rows", params: { rows: train, split: "train", columns } });
  const b = rowsSource(undefined, { name: "eval_rows", params: { rows: evals, split: "eval", columns } });
  return { a: a.dataset, b: b.dataset };
}

import { step } from "../../src/index.js";
import { dataset } from "../../src/data/dataset/index.js";
import { DatasetWriter } from "../../src/data/dataset/writer.js";
import { join } from "node:path";

/** Merge two single-split datasets into one with both splits (test plumbing). */
const mergeSplits = step({
  name: "merge_splits",
  inputs: { a: dataset(), b: dataset() },
  outputs: { dataset: dataset() },
  run: async (ctx, { a, b }) => {
    const kinds = { ...a.features, ...b.features };
    const w = await DatasetWriter.create(join(ctx.scratchDir, "m"), { splits: [...a.splits, ...b.splits], kinds });
    for (const d of [a, b]) for (const s of d.splits) for await (const ex of d.examples(s)) await w.write(s, ex);
    return { dataset: await w.close() };
  },
});

async function fit(koan: Parameters<typeof runPipeline>[0], train: Row[], evals: Row[], params: Record<string, unknown>, columns: Record<string, "int64" | "float" | "bytes"> = {}, prep = preprocess) {
  const r = await runPipeline(koan, () => {
    const { a, b } = twoSplits(train, evals, columns);
    const { dataset: d } = mergeSplits({ a, b });
    prep({ dataset: d }, { params: params as never });
  });
  return r;
}

test("no leakage: analyzers see the training split only (extreme eval values and eval-only categories change nothing)", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 100 }, (_, i) => ({ x: i, c: i % 2 ? "odd" : "even", y: i % 3 ? "p" : "q" }));
    const calm: Row[] = [{ x: 50, c: "odd", y: "p" }];
    const wild: Row[] = Array.from({ length: 50 }, (_, i) => ({ x: 1e9 + i, c: `eval-only-${i}`, y: "p" }));
    const a = await output<FittedTransform>(koan, await fit(koan, train, calm, { label: "y" }), "preprocess", "transform");
    const b = await output<FittedTransform>(koan, await fit(koan, train, wild, { label: "y" }), "preprocess", "transform");
    assert.deepEqual(a, b, "the fitted transform does not depend on the eval split");
    const x = a.features.find((f) => f.name === "x")!;
    assert.equal((x.ops[0] as { mean: number }).mean, 49.5);
    assert.ok(Math.abs((x.ops[0] as { std: number }).std - Math.sqrt((100 * 100 - 1) / 12)) < 1e-9);
    const c = a.features.find((f) => f.name === "c")!;
    assert.deepEqual((c.ops[0] as unknown as { vocabulary: string[] }).vocabulary, ["even", "odd"]);
    assert.equal(a.analyzers.x?.max, 99);
  } finally {
    await cleanup();
  }
});

test("every transform kind computes the documented value", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 10 }, (_, i) => ({
      n: i + 1, // 1..10
      m: i < 2 ? null : i, // missing twice
      s: ["a", "a", "a", "b", "b", "c", null, "a", "b", "d"][i] as string | null,
      flag: i % 2,
      t: i % 2 ? "yes" : "no",
      label: i * 0.5,
    }));
    const evals: Row[] = [{ n: 100, m: null, s: "zzz", flag: 1, t: "yes", label: 1 }];
    const params = {
      label: { name: "label" },
      features: {
        n: { ops: ["log", "zscore"] },
        m: { fill: "median", ops: [{ type: "clip", min: 3, max: 8 }, { type: "minmax", min: -1, max: 1 }] },
        s: { fill: "none", ops: [{ type: "vocabulary", topK: 2, oovBuckets: 2, output: "index" }] },
        flag: "identity",
        t: "bool",
      },
      crosses: [{ features: ["s", "t"], buckets: 7, output: "index" }],
      keepRaw: ["n"],
    };
    const r = await fit(koan, train, evals, params, { flag: "int64" });
    const t = await output<FittedTransform>(koan, r, "preprocess", "transform");
    const ds = await output<Dataset>(koan, r, "preprocess");
    assert.equal(t.label?.task, "regression", "a float label is a regression target");
    const f = Object.fromEntries(t.features.map((x) => [x.name, x]));
    const logs = Array.from({ length: 10 }, (_, i) => Math.log(i + 2));
    const mean = logs.reduce((a, b) => a + b) / 10;
    const std = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / 10);
    assert.ok(Math.abs((f.n!.ops[1] as { mean: number }).mean - mean) < 1e-12, "the analyzer sees values after the log");
    // m: median of 2..9 (KLL lower median = 5), clip to [3, 8], minmax fitted on clipped values (3..8) to [-1, 1].
    assert.equal(f.m!.fill, 5);
    assert.deepEqual(f.m!.ops[1], { type: "minmax", min: 3, max: 8, outMin: -1, outMax: 1 });
    assert.deepEqual(f.s!.ops[0], { type: "vocabulary", vocabulary: ["a", "b"], oovBuckets: 2, output: "index" });
    assert.equal(f.s!.dtype, "int64");
    assert.equal(f.s!.cardinality, 4);

    const out = applyTransform(t, evals[0]!);
    assert.equal(out.n, Math.fround((Math.log(101) - (f.n!.ops[1] as { mean: number }).mean) / (f.n!.ops[1] as { std: number }).std));
    assert.equal(out.m, Math.fround(-1 + ((5 - 3) / 5) * 2), "missing → median 5 → clip → minmax");
    assert.equal(out.s, 2 + hashBucket("zzz", 2), "out of vocabulary → vocabulary size + hash bucket");
    assert.equal(applyTransform(t, { s: "b" }).s, 1);
    assert.equal(applyTransform(t, { s: null }).s, 2 + hashBucket("", 2), "missing with fill none → OOV");
    assert.equal(out.flag, 1);
    assert.equal(out.t, 1);
    assert.equal(applyTransform(t, { t: "no" }).t, 0);
    assert.equal(out.s_x_t, hashBucket(`${out.s}_X_yes`, 7), "crosses hash the categorical index / raw value joined by _X_");
    assert.equal(out.raw_n, undefined === out.raw_n ? undefined : 100);
    const evalRow = (await rowsOf(ds, "eval"))[0]!;
    assert.equal(evalRow.raw_n, 100, "raw features kept beside the transformed ones");
    assert.equal(evalRow.label, 1);
    assert.equal(evalRow.s, out.s);

    // Clip/minmax degenerate cases, one-hot, hash, bucketize, scale01, fills mode/zero/constant, rename.
    const p2 = {
      unlisted: "drop",
      features: {
        n: { name: "n_bucket", ops: [{ type: "bucketize", buckets: 4, output: "onehot" }] },
        m: { fill: "zero", ops: ["scale01"] },
        s: { fill: "mode", ops: ["onehot"] },
        t: { fill: { constant: "no" }, ops: [{ type: "hash", buckets: 5, output: "onehot" }] },
        flag: { fill: "mode", ops: ["zscore"] },
      },
    };
    const t2 = await output<FittedTransform>(koan, await fit(koan, train, evals, p2, { flag: "int64" }), "preprocess", "transform");
    const g = Object.fromEntries(t2.features.map((x) => [x.name, x]));
    assert.deepEqual(g.n_bucket!.ops[0], { type: "bucketize", boundaries: [3, 5, 8], output: "onehot" });
    assert.deepEqual(featureSpec(t2).inputs.map((i) => [i.name, i.width]), [["flag", 1], ["m", 1], ["n_bucket", 4], ["s", 5], ["t", 5]]);
    const o2 = applyTransform(t2, { n: 6, m: null, s: null, t: null, flag: null });
    assert.deepEqual(o2.n_bucket, [0, 0, 1, 0], "6 is in [5, 8)");
    assert.deepEqual(applyTransform(t2, { n: 100 }).n_bucket, [0, 0, 0, 1]);
    assert.equal(o2.m, Math.fround((0 - 2) / (9 - 2)), "zero fill then scale to [0, 1] with train min 2, max 9");
    assert.deepEqual(o2.s, [1, 0, 0, 0, 0], "mode fill: a");
    const h = hashBucket("no", 5);
    assert.deepEqual(o2.t, [0, 1, 2, 3, 4].map((i) => (i === h ? 1 : 0)));
    assert.equal(g.flag!.fill, 0, "mode of 0/1 with a tie is the smaller value");
    assert.equal(t2.label, null);
  } finally {
    await cleanup();
  }
});

test("zero-config: 0/1 integer columns become booleans; one-class and constant columns do not divide by zero", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 6 }, (_, i) => ({ b: i % 3 === 0 ? 1 : 0, k: 7, y: i % 2 ? "u" : "v" }));
    const t = await output<FittedTransform>(koan, await fit(koan, train, train, { label: "y" }, { b: "int64", k: "int64" }), "preprocess", "transform");
    const f = Object.fromEntries(t.features.map((x) => [x.name, x]));
    assert.deepEqual(f.b!.ops, [{ type: "bool" }]);
    assert.equal(f.b!.fill, 0);
    assert.deepEqual(f.k!.ops, [{ type: "zscore", mean: 7, std: 0 }]);
    assert.equal(applyTransform(t, { k: 9 }).k, 2, "std 0: x - mean");
  } finally {
    await cleanup();
  }
});

test("custom transforms: functions of the row and the analyzers; their source joins the code hash; failures name feature and row", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 20 }, (_, i) => ({ a: i, b: 2 * i + 1, c: i % 2 ? "x" : "y" }));
    const ratio: CustomTransform = { inputs: ["a", "b"], fn: (row, an) => ((row.a as number) - an.mean("a")) / (row.b as number) };
    const pair: CustomTransform = { inputs: ["a", "c"], size: 2, fn: (row, an) => [an.quantile("a", 0.5), an.vocabulary("c").indexOf(row.c as string)] };
    const prep = preprocessWith({ custom: { ratio, pair } });
    const r = await fit(koan, train, train.slice(0, 3), { unlisted: "drop", features: {} }, {}, prep);
    const t = await output<FittedTransform>(koan, r, "preprocess", "transform");
    assert.deepEqual(t.custom.map((c) => [c.name, c.size, c.shape]), [["pair", 2, [2]], ["ratio", 1, []]]);
    const row = { a: 3, b: 7, c: "y" };
    assert.throws(() => applyTransform(t, row), /pass its function/);
    const out = applyTransform(t, row, { custom: { ratio, pair } });
    assert.equal(out.ratio, Math.fround((3 - 9.5) / 7));
    assert.deepEqual(out.pair, [9, 1]);
    assert.deepEqual(applyTransform(t, row, { trustStoredCode: true }), out, "rebuilt from the stored source");
    assert.throws(() => applyTransform(t, row, { custom: { ratio: (r2) => (r2.a as number) * 2, pair } }), /not the function the transform was fitted with/);
    const ds = await output<Dataset>(koan, r, "preprocess");
    const first = (await rowsOf(ds, "eval"))[0]!;
    assert.equal(first.ratio, applyTransform(t, { a: 0, b: 1, c: "y" }, { custom: { ratio, pair } }).ratio);

    const other = preprocessWith({ custom: { ratio: { ...ratio, fn: (row) => (row.a as number) + 1 }, pair } });
    assert.notEqual(other.definition.codeHash, prep.definition.codeHash);
    assert.equal(preprocessWith({ custom: { ratio, pair } }).definition.codeHash, prep.definition.codeHash);

    const boom = preprocessWith({ custom: { boom: { inputs: ["a"], fn: (row) => { if (row.a === 13) throw new Error("thirteen"); return 1; } } } });
    const fails = await fit(koan, train, train, { unlisted: "drop" }, {}, boom);
    assert.match(failure(fails), /custom transform "boom" threw on row 13 of split "(train|eval)": thirteen/);
    assert.equal(fails.outputs.preprocess, undefined);
    const nulls = preprocessWith({ custom: { n: { inputs: ["a"], fn: () => null } } });
    assert.match(failure(await fit(koan, train, train, { unlisted: "drop" }, {}, nulls)), /custom transform "n" returned null and has no fill value on row 0/);
  } finally {
    await cleanup();
  }
});

test("bad input fails with a clear error before any output is committed", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 8 }, (_, i) => ({ x: i, s: null, c: i % 2 ? "u" : "v", y: i % 2 }));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ label: "nope" }, /label column "nope" is not a column of the dataset/],
      [{ label: "y", features: { ghost: "zscore" } }, /feature "ghost" is not a column of the dataset/],
      [{ label: "y", features: { s: "onehot" } }, /feature "s": a vocabulary needs values, but the column has no values in the training split "train"/],
      [{ label: "y", features: { c: "zscore" } }, /feature "c" is a string \(bytes\) feature, but op "zscore" needs numbers/],
      [{ label: "y", features: { x: ["zscore", "scale01"] } }, /both need analyzers/],
      [{ label: "y", features: { x: ["onehot", "log"] } }, /comes after a categorical op/],
      [{ label: "y", features: { x: { fill: "none", ops: ["zscore"] } } }, /fill "none" leaves missing values/],
      [{ label: "y", trainSplit: "nosuch" }, /no split "nosuch" to fit the transform on/],
      [{ label: "y", features: { y: "zscore" } }, /"y" is the label/],
      [{ label: "y", features: { c: { name: "x", ops: ["onehot"] } } }, /output name "x" is used twice/],
      [{ label: "y", features: { x: ["log"] }, exclude: ["s"] }, /log of -1 \+ 1 is undefined|log of 0 \+ 1|not positive/],
    ];
    const withNegative = train.map((r, i) => ({ ...r, x: i - 1 }));
    for (const [params, why] of cases) {
      const rows = String(why).includes("log") ? withNegative : train;
      const r = await fit(koan, rows, rows.slice(0, 2), params, { s: "bytes", y: "int64" });
      assert.match(failure(r), why, JSON.stringify(params));
      assert.equal(r.outputs.preprocess, undefined, "nothing committed");
    }
    // A log of a non-positive value names the feature and the row.
    const r = await fit(koan, withNegative, withNegative.slice(0, 1), { label: "y", exclude: ["s"], features: { x: { ops: [{ type: "log", offset: 0.5 }] } } }, { s: "bytes", y: "int64" });
    assert.match(failure(r), /feature "x": log of -1 \+ 0\.5 is undefined \(not positive\) \(row 0 of split "(eval|train)"\)/);
  } finally {
    await cleanup();
  }
});

test("a changed configuration changes the artifacts; the same one is byte-identical", async () => {
  const { koan, cleanup } = await project();
  try {
    const train: Row[] = Array.from({ length: 30 }, (_, i) => ({ x: i % 7, c: `c${i % 5}`, y: i % 2 ? "a" : "b" }));
    const a = await fit(koan, train, train, { label: "y" });
    const b = await fit(koan, train, train, { label: "y" });
    const c = await fit(koan, train, train, { label: "y", features: { x: "scale01" } });
    assert.equal(contentHash(a, "preprocess", "transform"), contentHash(b, "preprocess", "transform"));
    assert.equal(contentHash(a, "preprocess"), contentHash(b, "preprocess"));
    assert.notEqual(contentHash(a, "preprocess", "transform"), contentHash(c, "preprocess", "transform"));
  } finally {
    await cleanup();
  }
});
