import { test } from "node:test";
import assert from "node:assert/strict";
import { ratioSplit, rowsSource, fileSource, type Dataset } from "../../src/index.js";
import { contentHash, failure, generatedRows, output, penguinsJsonl, project, rowsOf, runPipeline, stepLog } from "./util.js";

const rows = generatedRows(400);
const source = (shards = 1) => rowsSource(undefined, { params: { rows, columns: { id: "int64" }, shards } });

async function idsBySplit(ds: Dataset): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const s of ds.splits) out[s] = (await rowsOf(ds, s)).map((r) => r.id as number).sort((a, b) => a - b);
  return out;
}

test("ratio split: deterministic across reruns and shard layouts; a different seed gives a different split", async () => {
  const { koan, cleanup } = await project();
  try {
    const build = (shards: number, seed?: number) => () => {
      const { dataset } = source(shards);
      ratioSplit({ dataset }, { params: { ratios: { train: 0.7, eval: 0.2, test: 0.1 }, key: "id", ...(seed === undefined ? {} : { seed }) } });
    };
    const a = await runPipeline(koan, build(1, 7));
    const b = await runPipeline(koan, build(1, 7));
    assert.equal(contentHash(a, "ratio_split"), contentHash(b, "ratio_split"), "two runs with the same seed give byte-identical artifacts");
    const ds = await output(koan, a, "ratio_split");
    assert.deepEqual([...ds.splits].sort(), ["eval", "test", "train"]);
    const ids = await idsBySplit(ds);
    assert.equal(ids.train!.length + ids.eval!.length + ids.test!.length, 400);
    assert.ok(Math.abs(ids.train!.length / 400 - 0.7) < 0.08, `train share ${ids.train!.length / 400}`);
    assert.ok(Math.abs(ids.test!.length / 400 - 0.1) < 0.05, `test share ${ids.test!.length / 400}`);

    const sharded = await idsBySplit(await output(koan, await runPipeline(koan, build(3, 7)), "ratio_split"));
    assert.deepEqual(sharded, ids, "the same rows land in the same splits whatever the input's shard layout");

    const other = await runPipeline(koan, build(1, 8));
    assert.notEqual(contentHash(other, "ratio_split"), contentHash(a, "ratio_split"));
    assert.notDeepEqual(await idsBySplit(await output(koan, other, "ratio_split")), ids, "a different seed gives a different split");

    // Without an explicit seed the step's seed (from the pipeline seed) is used: it is stable per pipeline seed.
    const s1 = await runPipeline(koan, build(1), { seed: 1 });
    const s1b = await runPipeline(koan, build(1), { seed: 1 });
    const s2 = await runPipeline(koan, build(1), { seed: 2 });
    assert.equal(contentHash(s1, "ratio_split"), contentHash(s1b, "ratio_split"));
    assert.notEqual(contentHash(s1, "ratio_split"), contentHash(s2, "ratio_split"));

    const manifest = ds.manifest.source as { method: string; seed: number; counts: { rows: Record<string, number> } };
    assert.equal(manifest.method, "ratio");
    assert.equal(manifest.seed, 7);
    assert.deepEqual(manifest.counts.rows, { train: ids.train!.length, eval: ids.eval!.length, test: ids.test!.length });
    const metrics = await koan.metadata.metricsOfRun(a.runId);
    assert.equal(metrics.find((m) => m.name === "rows.train")?.value, ids.train!.length);
  } finally {
    await cleanup();
  }
});

test("ratio split: exact shares, whole-row hashing, shard counts, key grouping", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await runPipeline(koan, () => {
      const { dataset } = source();
      ratioSplit({ dataset }, { params: { ratios: { train: 0.75, eval: 0.25 }, exact: true, shards: { train: 3, eval: 1 } } });
    });
    const ds = await output(koan, r, "ratio_split");
    assert.equal(ds.rowCount("train"), 300);
    assert.equal(ds.rowCount("eval"), 100);
    assert.equal((await ds.shardPaths("train")).length, 3);
    assert.equal((await ds.shardPaths("eval")).length, 1);

    // Rows sharing a key value always land together.
    const { koan: k2 } = { koan };
    const r2 = await runPipeline(k2, () => {
      const { dataset } = source();
      ratioSplit({ dataset }, { params: { ratios: { train: 0.5, eval: 0.5 }, key: "cat", seed: 3 } });
    });
    const ds2 = await output(koan, r2, "ratio_split");
    const cats = (s: string) => rowsOf(ds2, s).then((rs) => new Set(rs.map((x) => x.cat)));
    const [train, evals] = [await cats("train"), await cats("eval")];
    for (const c of train) assert.ok(!evals.has(c), `category ${String(c)} is in both splits`);
  } finally {
    await cleanup();
  }
});

test("ratio split on penguins: counts add up; an empty split is warned about", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const path = await penguinsJsonl(dir);
    const r = await runPipeline(koan, () => {
      const { dataset } = fileSource(undefined, { params: { path } });
      ratioSplit({ dataset }, { params: { ratios: { train: 0.8, eval: 0.2, spare: 0 }, key: "id", seed: 1 } });
    });
    const ds = await output(koan, r, "ratio_split");
    assert.equal(ds.rowCount("train") + ds.rowCount("eval"), 344);
    assert.equal(ds.rowCount("spare"), 0);
    assert.match(await stepLog(koan, r, "ratio_split"), /WARN\s+split "spare" is empty/);
  } finally {
    await cleanup();
  }
});

test("ratio split: bad ratios and unknown key columns fail before any output is committed", async () => {
  const { koan, cleanup } = await project();
  try {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ratios: { train: 0.7, eval: 0.2 } }, /ratios sum to 0\.9, not 1/],
      [{ ratios: { train: 1.2, eval: -0.2 } }, /ratio of split "eval" is -0\.2; ratios must be ≥ 0/],
      [{ ratios: { train: 0.5, eval: 0.5 }, key: "nope" }, /key column "nope" is not a column of the dataset/],
      [{ ratios: { "bad name": 1 } }, /split name "bad name" is invalid/],
      [{ ratios: { train: 0.5, eval: 0.5 }, order: ["train"] }, /order \[train\] must list exactly the splits/],
    ];
    for (const [params, why] of cases) {
      const r = await runPipeline(koan, () => {
        const { dataset } = source();
        ratioSplit({ dataset }, { params: params as never });
      });
      assert.match(failure(r), why);
      assert.equal(r.outputs.ratio_split, undefined, "nothing committed");
    }
  } finally {
    await cleanup();
  }
});
