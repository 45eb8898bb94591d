import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileSource, ratioSplit, preprocess, transformDataset, type Dataset } from "../../src/index.js";
import {
  applyTransform,
  compileTransform,
  denseBatches,
  featureSpec,
  loadTransform,
  saveTransform,
  transformedSample,
  transformToVector,
  type FittedTransform,
} from "../../src/transform/index.js";
import { contentHash, output, penguinsJsonl, project, rowsOf, runPipeline } from "../split/util.js";

const build = (path: string, params: Record<string, unknown> = {}) => () => {
  const { dataset } = fileSource(undefined, { params: { path } });
  const { dataset: splits } = ratioSplit({ dataset }, { params: { ratios: { train: 0.7, eval: 0.2, test: 0.1 }, key: "id", seed: 42, shards: 2 } });
  preprocess({ dataset: splits }, { params: { label: "Species", exclude: ["id"], ...params } as never });
};

test("zero-config preprocess on penguins: per-type defaults, label classes, a feature spec a model can use", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const r = await runPipeline(koan, build(path));
    const t = await output<FittedTransform>(koan, r, "preprocess", "transform");
    const ds = await output(koan, r, "preprocess");
    assert.equal(r.outputs.preprocess?.transform?.type, "transform");
    assert.deepEqual(t.label, { name: "Species", kind: "bytes", task: "classification", classes: ["Adelie", "Chinstrap", "Gentoo"] });
    const byName = Object.fromEntries(t.features.map((f) => [f.name, f]));
    assert.deepEqual(Object.keys(byName).sort(), ["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)", "Island", "Sex"]);
    assert.equal(byName["Beak Length (mm)"]?.ops[0]?.type, "zscore", "floats: z-score");
    assert.equal(byName["Body Mass (g)"]?.kind, "int64");
    assert.equal(byName["Body Mass (g)"]?.ops[0]?.type, "zscore", "integers (not 0/1): z-score");
    assert.equal(typeof byName["Beak Length (mm)"]?.fill, "number", "numbers: mean fill");
    assert.equal(byName.Island?.ops[0]?.type, "vocabulary", "strings: vocabulary");
    assert.deepEqual(byName.Island?.shape, [4], "3 islands + 1 out-of-vocabulary bucket, one-hot");
    assert.equal(byName.Sex?.fill, null);
    assert.equal(t.trainSplit, "train");
    assert.equal(t.trainRows, (await koan.load(r.outputs.ratio_split!.dataset!) as Dataset).rowCount("train"));
    assert.deepEqual(t.inputs.map((i) => i.name), ["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)", "Island", "Sex"]);

    const spec = featureSpec(t);
    assert.equal(spec.width, 4 + 4 + byName.Sex!.shape[0]!);
    assert.deepEqual(spec.label, { name: "Species", dtype: "int64", task: "classification", classes: ["Adelie", "Chinstrap", "Gentoo"] });
    assert.deepEqual(spec.inputs.find((i) => i.name === "Island")?.vocabulary?.slice().sort(), ["Biscoe", "Dream", "Torgersen"]);

    assert.deepEqual([...ds.splits].sort(), ["eval", "test", "train"]);
    assert.equal(ds.features.Species, "int64");
    assert.equal(ds.features.Island, "float");
    assert.equal((await ds.shardPaths("train")).length, 2, "shards follow the input");

    // The transformed training data is standardised with the training split's own statistics.
    const train = await rowsOf(ds, "train");
    const z = train.map((x) => x["Beak Length (mm)"] as number);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    assert.ok(Math.abs(mean) < 0.02, `mean of z-scores ${mean}`);

    let batches = 0;
    for await (const b of denseBatches(ds, t, "eval", 16)) {
      batches++;
      assert.equal(b.x.length, b.rows * spec.width);
      assert.ok(b.y instanceof Int32Array);
      for (const y of b.y) assert.ok(y >= 0 && y < 3);
    }
    assert.equal(batches, Math.ceil(ds.rowCount("eval") / 16));
  } finally {
    await cleanup();
  }
});

test("determinism: two runs give byte-identical transform and dataset artifacts", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const a = await runPipeline(koan, build(path));
    const b = await runPipeline(koan, build(path));
    assert.equal(contentHash(a, "preprocess", "transform"), contentHash(b, "preprocess", "transform"));
    assert.equal(contentHash(a, "preprocess"), contentHash(b, "preprocess"));
    assert.equal(contentHash(a, "ratio_split"), contentHash(b, "ratio_split"));
  } finally {
    await cleanup();
  }
});

test("one implementation: applying the transform to a raw row gives exactly the transformed dataset's values", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const r = await runPipeline(koan, build(path, { keepRaw: ["id"] }));
    const t = await output<FittedTransform>(koan, r, "preprocess", "transform");
    const ds = await output(koan, r, "preprocess");
    const raw = await output(koan, r, "ratio_split");
    const spec = featureSpec(t);
    let checked = 0;
    for (const split of ["train", "eval", "test"]) {
      const rawRows = await rowsOf(raw, split);
      const outRows = await rowsOf(ds, split);
      assert.equal(rawRows.length, outRows.length);
      const vectors: Float32Array[] = [];
      for (const b of [await denseBatches(ds, t, split, 1000).next()]) if (!b.done) for (let i = 0; i < b.value.rows; i++) vectors.push(b.value.x.subarray(i * spec.width, (i + 1) * spec.width));
      // Round-robin shards reorder rows: match them by the raw id kept beside the transformed features.
      const byId = new Map(rawRows.map((row) => [row.id as number, row] as const));
      outRows.forEach((stored, i) => {
        const row = byId.get(stored.raw_id as number);
        assert.ok(row, `${split} row ${i}: raw id ${String(stored.raw_id)} is a row of the raw split`);
        const mine = applyTransform(t, row);
        for (const f of t.features) assert.deepEqual(mine[f.name], stored[f.name], `${split} row ${i} feature ${f.name}`);
        assert.equal(mine.Species, stored.Species);
        assert.deepEqual(transformToVector(t, row), vectors[i], `${split} row ${i} dense vector`);
        checked++;
      });
    }
    assert.equal(checked, 344);
    // Serving rows are plain JSON: numbers as doubles (rounded to float32 like the dataset), missing keys filled.
    const served = applyTransform(t, { "Beak Length (mm)": 39.1, Island: "Torgersen" });
    const fill = t.features.find((f) => f.name === "Beak Depth (mm)")!;
    const expectDepth = Math.fround((Math.fround(fill.fill as number) - (fill.ops[0] as { mean: number }).mean) / (fill.ops[0] as { std: number }).std);
    assert.ok(Math.abs((served["Beak Depth (mm)"] as number) - expectDepth) < 1e-6);
    assert.equal(served.Species, undefined, "no label in a serving row");

    const sample = await transformedSample(raw, t, { split: "eval", n: 3 });
    assert.equal(sample.length, 3);
    assert.deepEqual(sample[0]?.transformed.Island, applyTransform(t, sample[0]!.raw).Island);
  } finally {
    await cleanup();
  }
});

test("round trip: the transform artifact saved to a file and loaded gives the same outputs; transformDataset reproduces preprocess", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const r = await koan.run((await import("../../src/index.js")).pipeline({
      name: "rt",
      build: () => {
        const { dataset } = fileSource(undefined, { params: { path } });
        const { dataset: splits } = ratioSplit({ dataset }, { params: { ratios: { train: 0.7, eval: 0.3 }, key: "id", seed: 1 } });
        const { transform } = preprocess({ dataset: splits }, { params: { label: "Species", exclude: ["id"] } });
        transformDataset({ transform, dataset: splits });
      },
    }), { cache: false });
    const t = await output<FittedTransform>(koan, r, "preprocess", "transform");
    const file = join(dir, "transform.json");
    await saveTransform(t, file);
    const back = await loadTransform(file);
    assert.deepEqual(back, t);
    const raw = await output(koan, r, "ratio_split");
    for (const row of await rowsOf(raw, "eval")) assert.deepEqual(applyTransform(back, row), applyTransform(t, row));
    assert.equal(contentHash(r, "transform_dataset"), contentHash(r, "preprocess"), "the same code applies the transform in both steps");
    assert.equal(compileTransform(back).width, featureSpec(t).width);
  } finally {
    await cleanup();
  }
});
