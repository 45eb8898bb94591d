/**
 * Shardable steps: `statistics` over a sharded Dataset computes each shard separately — in worker threads with the
 * local orchestrator, as separate tasks on queue workers — and merges them into exactly the statistics of one
 * pass, with the cache key of the step. A shard or a merge that fails fails the step.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Koan } from "../../src/client/client.js";
import { Dataset } from "../../src/data/dataset/dataset.js";
import { datasetStatistics } from "../../src/data/dataset/statistics.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import { REPO, tempProject, waitFor } from "../helpers.js";
import { HEADER, queueWorld, type QueueWorld } from "./queue-harness.js";
import { redisSkipReason } from "./redis-server.js";

/** A dataset of 6 shards (train 4, eval 2) without stored statistics, then `statistics` over it. */
const SHARDED = `${HEADER}
import { z } from "zod";
import { DatasetWriter, statistics } from "koan";
import { join as j } from "node:path";
const make = step({ name: "make", params: z.object({ rows: z.number().default(3000) }), outputs: { dataset: t.dataset() }, run: async (ctx, _i, p) => {
  const w = await DatasetWriter.create(j(ctx.scratchDir, "ds"), { splits: ["train", "eval"], shards: { train: 4, eval: 2 } });
  for (let i = 0; i < p.rows; i++) await w.write(i % 5 === 0 ? "eval" : "train", { x: (i % 97) * 0.5, label: i % 3 === 0 ? "a" : "b", n: i });
  return { dataset: await w.close() };
} });
export default pipeline({ name: "sharded", build: () => { const { dataset } = make(); statistics({ dataset }); } });
`;

/** A shardable step written in a pipeline file: its shards run one after another locally, as tasks on workers. */
const CUSTOM = `${HEADER}
import { z } from "zod";
import { shardableStep } from ${JSON.stringify(join(REPO, "dist", "src", "shards", "define.js"))};
const sum = shardableStep({
  name: "sum",
  params: z.object({ fail: z.enum(["none", "map", "merge"]).default("none") }),
  outputs: { total: t.json<number>() },
  shards: {
    count: () => 3,
    map: (_ctx, _i, p, { index }) => { mark("map" + index); if (p.fail === "map" && index === 1) throw new Error("shard one is broken"); return { value: (index + 1) * 10 }; },
    merge: (_ctx, _i, p, parts) => { if (p.fail === "merge") throw new Error("cannot merge these"); return { total: parts.reduce((a, x) => a + (x as { value: number }).value, 0) }; },
  },
});
export default pipeline({ name: "custom", build: () => { sum(); } });
`;

type Stats = { name: string; numExamples: number }[];

test("local orchestrator: statistics shards run in worker threads and merge into the one-pass statistics, with the same cache key", async () => {
  const proj = await tempProject();
  const previous = process.env.KOAN_SHARD_THREADS;
  try {
    const file = await proj.write("sharded.ts", SHARDED);
    const loaded = await loadPipelineFile(file);
    const koan = await Koan.open({ dir: proj.dir, init: true });
    try {
      process.env.KOAN_SHARD_THREADS = "2";
      const threaded = await koan.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
      assert.equal(threaded.status, "succeeded", threaded.error?.message);
      const statsRun = threaded.steps.find((s) => s.step === "statistics");
      assert.match(await koan.stepLog(statsRun!), /6 shards in 2 threads/);
      const stats = (await koan.load(threaded.outputs.statistics?.statistics as never)) as Stats;
      const dataset = (await koan.load(threaded.outputs.make?.dataset as never)) as Dataset;
      const onePass = await datasetStatistics(dataset, { recompute: true });
      assert.deepEqual(stats, onePass.statistics);
      assert.deepEqual(stats.map((s) => [s.name, s.numExamples]).sort(), [["eval", 600], ["train", 2400]]);

      // One thread: the same step, so a cache hit; recomputed without the cache, the same statistics.
      process.env.KOAN_SHARD_THREADS = "1";
      const again = await koan.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
      const hit = again.steps.find((s) => s.step === "statistics");
      assert.equal(hit?.cacheHit, true);
      assert.equal(hit?.cacheKey, statsRun?.cacheKey);
      const fresh = await koan.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, cache: false });
      assert.deepEqual(await koan.load(fresh.outputs.statistics?.statistics as never), stats);
      assert.doesNotMatch(await koan.stepLog(fresh.steps.find((s) => s.step === "statistics")!), /threads/);

      // A shardable step in a pipeline file: shards one after another; a failing shard or merge fails the step.
      const custom = await loadPipelineFile(await proj.write("custom.ts", CUSTOM));
      process.env.KOAN_SHARD_THREADS = "4";
      process.env.KOAN_TEST_MARKS = await proj.write("marks/.keep", "").then(() => join(proj.dir, "marks"));
      const ok = await koan.run(custom.pipeline, { pipelineFile: custom.file });
      assert.equal(await koan.load(ok.outputs.sum?.total as never), 60);
      const badMap = await koan.run(custom.pipeline, { pipelineFile: custom.file, params: { sum: { fail: "map" } } });
      assert.equal(badMap.status, "failed");
      assert.match(badMap.error?.message ?? "", /shard one is broken/);
      const badMerge = await koan.run(custom.pipeline, { pipelineFile: custom.file, params: { sum: { fail: "merge" } } });
      assert.equal(badMerge.status, "failed");
      assert.match(badMerge.error?.message ?? "", /cannot merge these/);
    } finally {
      await koan.close();
    }
  } finally {
    if (previous === undefined) delete process.env.KOAN_SHARD_THREADS;
    else process.env.KOAN_SHARD_THREADS = previous;
    await proj.cleanup();
  }
});

const skip = redisSkipReason();
let w: QueueWorld;

before(async () => {
  if (skip) return;
  w = await queueWorld();
  await w.write("sharded.ts", SHARDED);
  await w.write("custom.ts", CUSTOM);
  await Promise.all([w.startWorker(["--concurrency", "2"]), w.startWorker(["--concurrency", "2"])]);
});

after(async () => {
  if (w) await w.close();
});

test("queue: statistics shards are separate tasks on the workers, merged when all finish: one-pass statistics, the step's cache key", { skip }, async () => {
  const run = await w.submit(join(w.dir, "sharded.ts"));
  const done = await w.ended(run.id, 120_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  const steps = await w.client.metadata.listStepRuns(run.id);
  assert.deepEqual(steps.map((s) => `${s.step}:${s.status}`).sort(), ["make:succeeded", "statistics:succeeded"]);
  const stats = (await w.client.load(`${run.id}/statistics/statistics`)) as Stats;
  const dataset = (await w.client.load(`${run.id}/make/dataset`)) as Dataset;
  assert.deepEqual(stats, (await datasetStatistics(dataset, { recompute: true })).statistics);
  const output = w.workers.map((x) => x.output()).join("\n");
  assert.match(output, /statistics: 6 shards, each a task/);
  for (let i = 1; i <= 6; i++) assert.match(output, new RegExp(`statistics shard ${i}/6: done`));
  assert.match(output, /statistics merge: succeeded/);

  // The same step, computed in one task (another run, no cache): the same cache key.
  const local = await Koan.open({ dir: w.dir, stack: "default" });
  try {
    const loaded = await loadPipelineFile(join(w.dir, "sharded.ts"));
    const one = await local.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
    assert.equal(one.steps.find((s) => s.step === "statistics")?.cacheKey, steps.find((s) => s.step === "statistics")?.cacheKey);
    assert.deepEqual(await local.load(one.outputs.statistics?.statistics as never), stats);
  } finally {
    await local.close();
  }
});

test("queue: a shard that keeps failing, or a merge that fails, fails the step and the run with its error", { skip }, async () => {
  const loaded = await loadPipelineFile(join(w.dir, "custom.ts"));
  const badMap = await w.client.submit(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, params: { sum: { fail: "map" } } });
  const failedMap = await w.ended(badMap.id, 120_000);
  assert.equal(failedMap.status, "failed");
  assert.match(failedMap.error?.message ?? "", /shard 2 of 3 of step "sum" failed: .*shard one is broken/);
  const badMerge = await w.client.submit(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, params: { sum: { fail: "merge" } } });
  const failedMerge = await w.ended(badMerge.id, 120_000);
  assert.equal(failedMerge.status, "failed");
  assert.match(failedMerge.error?.message ?? "", /cannot merge these/);
  await waitFor(async () => (await w.marks_("map0")).length >= 2, 5_000, "the shards to have run on the workers");
});
