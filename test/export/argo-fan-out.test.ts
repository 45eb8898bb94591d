/**
 * A shardable step through Argo, end to end against the stand-in (test/export/fake-argo.ts, which runs each pod's
 * real command): the `statistics` step over a sharded Dataset fans out — the step's pod decides the shard count
 * (`koan step-run --fan-out`), one pod per shard, a merge pod records the step — and gives exactly the statistics
 * artifact (cache key and content) of a local run. The `kubernetes` orchestrator follows the shard pods into the
 * step's progress and records a failed shard as the step's failure; a cached step does not fan out; the
 * standalone Workflow of `koan export argo` fans out the same way.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { Koan } from "../../src/client/client.js";
import type { Dataset } from "../../src/data/dataset/dataset.js";
import { datasetStatistics } from "../../src/data/dataset/statistics.js";
import { RUN_ID_PARAM, type ArgoWorkflow } from "../../src/export/argo.js";
import { loadPipelineFile, type LoadedPipeline } from "../../src/loader/pipeline-file.js";
import { workflowsApi } from "../../src/orchestrators/kubernetes/api.js";
import { koan as cli, tempProject, waitFor } from "../helpers.js";
import { executeAttached, k8sConfig, kubeConfigFor } from "./argo-harness.js";
import { fakeArgo, type FakeArgo } from "./fake-argo.js";

/** A dataset of 3 shards (train 2, eval 1) without stored statistics, `statistics` over it, and a step after it. */
const PIPELINE = `import { pipeline, step, types as t, DatasetWriter, statistics, statisticsType } from "koan";
import { z } from "zod";
import { join } from "node:path";
const make = step({ name: "make", params: z.object({ rows: z.number().default(900) }), outputs: { dataset: t.dataset() }, run: async (ctx, _i, p) => {
  const w = await DatasetWriter.create(join(ctx.scratchDir, "ds"), { splits: ["train", "eval"], shards: { train: 2, eval: 1 } });
  for (let i = 0; i < p.rows; i++) await w.write(i % 3 === 0 ? "eval" : "train", { x: (i % 41) * 0.5, label: i % 4 === 0 ? "a" : "b", n: i });
  return { dataset: await w.close() };
} });
const summary = step({ name: "summary", inputs: { statistics: statisticsType() }, outputs: { text: t.json<string>() },
  run: (_c, { statistics }) => ({ text: statistics.map((s) => s.name + "=" + s.numExamples).join(",") }) });
export default pipeline({ name: "argo-shards", build: () => { const { dataset } = make(); const { statistics: stats } = statistics({ dataset }); summary({ statistics: stats }); } });
`;

type Stats = { name: string; numExamples: number }[];

describe("a shardable step on Argo (stand-in)", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let koan: Koan;
  let loaded: LoadedPipeline;
  const fakes: FakeArgo[] = [];
  const fake = async (pullError: string[] = []): Promise<FakeArgo> => {
    const argo = await fakeArgo(proj.dir, { pullError });
    fakes.push(argo);
    return argo;
  };
  const podsOf = (argo: FakeArgo) => Object.values([...argo.workflows.values()][0]?.status.nodes ?? {});

  before(async () => {
    proj = await tempProject();
    await proj.write("pipelines/shards.ts", PIPELINE);
    assert.equal((await cli(["init"], proj.dir)).code, 0);
    koan = await Koan.open({ dir: proj.dir });
    loaded = await loadPipelineFile(join(proj.dir, "pipelines", "shards.ts"));
  });
  after(async () => {
    await koan?.close();
    for (const f of fakes) await f.close();
    await proj?.cleanup();
  });

  it("fans statistics out (a pod per shard, then a merge) and gives the artifact of a local run: same cache key, same content", async () => {
    const argo = await fake();
    const { outcome, steps, events, run } = await executeAttached(koan, loaded, proj.dir, argo, { cache: false });
    assert.equal(outcome.status, "succeeded", outcome.failures.map((f) => f.message).join("; "));
    assert.deepEqual([...steps.keys()].sort(), ["make", "statistics", "summary"]);
    assert.ok([...steps.values()].every((s) => s.status === "succeeded"), "one step run per step, all succeeded");
    const pods = podsOf(argo).filter((n) => n.type === "Pod");
    assert.deepEqual(pods.filter((n) => n.templateName === "statistics-shard").map((n) => n.displayName).sort(), ["statistics-shard(0:0)", "statistics-shard(1:1)", "statistics-shard(2:2)"]);
    assert.deepEqual(pods.filter((n) => n.templateName === "statistics-merge").map((n) => n.phase), ["Succeeded"]);
    const fanOut = pods.find((n) => n.templateName === "statistics");
    assert.deepEqual(fanOut?.outputs?.parameters, [{ name: "shards", value: "3" }]);
    assert.equal(events.filter((e) => e.type === "step-started" && e.step === "statistics").length, 1, "the step starts once");
    assert.ok(events.some((e) => e.type === "step-log" && e.step === "statistics" && /^shard pod .*\(statistics-shard\(2:2\)\) succeeded/.test(e.line)));
    assert.ok(events.some((e) => e.type === "step-log" && e.step === "statistics" && /^merge pod .* succeeded/.test(e.line)));

    const stats = (await koan.load(`${run.id}/statistics/statistics`)) as Stats;
    const dataset = (await koan.load(`${run.id}/make/dataset`)) as Dataset;
    assert.deepEqual(stats, (await datasetStatistics(dataset, { recompute: true })).statistics);
    assert.equal(await koan.load(`${run.id}/summary/text`), "eval=300,train=600");

    const local = await koan.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, cache: false });
    assert.equal(local.status, "succeeded", local.error?.message);
    const here = local.steps.find((s) => s.step === "statistics");
    assert.equal(here?.cacheKey, steps.get("statistics")?.cacheKey);
    const [a, b] = [await koan.resolveArtifact(`${run.id}/statistics/statistics`), await koan.resolveArtifact(`${local.runId}/statistics/statistics`)];
    assert.equal(a.contentHash, b.contentHash);
  });

  it("does not fan out a step with a cached result: the shard and merge tasks are skipped, downstream steps run", async () => {
    const argo = await fake();
    const { outcome, steps } = await executeAttached(koan, loaded, proj.dir, argo);
    assert.equal(outcome.status, "succeeded", outcome.failures.map((f) => f.message).join("; "));
    assert.equal(steps.get("statistics")?.cacheHit, true);
    assert.equal(steps.get("summary")?.status, "succeeded");
    const nodes = podsOf(argo);
    assert.deepEqual(nodes.filter((n) => n.templateName === "statistics-shard" || n.templateName === "statistics-merge").map((n) => `${n.displayName}:${n.phase}`).sort(), [
      "statistics-merge:Skipped",
      "statistics-shard:Skipped",
    ]);
  });

  it("records the step failed, naming the shard's pod, when a shard pod fails; steps after it are skipped", async () => {
    const argo = await fake(["statistics-shard(1:1)"]);
    const { outcome, steps } = await executeAttached(koan, loaded, proj.dir, argo, { cache: false });
    assert.equal(outcome.status, "failed");
    assert.equal(steps.get("make")?.status, "succeeded");
    assert.equal(steps.get("statistics")?.status, "failed");
    assert.match(steps.get("statistics")?.error?.message ?? "", /shard pod statistics-shard\(1:1\) of step "statistics" .*failed: ImagePullBackOff/);
    assert.equal(steps.get("summary")?.status, "skipped");
    assert.equal(steps.size, 3, "one step run per step");
  });

  it("the standalone Workflow of koan export argo fans out the same way", async () => {
    const out = await cli(["export", "argo", "pipelines/shards.ts", "--image", k8sConfig.image as string, "--namespace", "ml", "-p", "make.rows=600"], proj.dir);
    assert.equal(out.code, 0, out.stderr);
    const argo = await fake();
    const created = await (await workflowsApi(kubeConfigFor(argo.url))).create("ml", parseYaml(out.stdout) as ArgoWorkflow);
    const name = created.metadata?.name as string;
    await waitFor(() => ["Succeeded", "Failed"].includes(argo.workflows.get(name)?.status.nodes[`${name}-onexit`]?.phase ?? ""), 180_000, "the exit handler");
    const wf = argo.workflows.get(name);
    assert.equal(wf?.status.phase, "Succeeded", wf?.status.message);
    const runId = wf?.status.outputs?.parameters.find((p) => p.name === RUN_ID_PARAM)?.value ?? "";
    const run = await koan.getRun(runId);
    assert.equal(run.status, "succeeded", JSON.stringify(run.error));
    const nodes = Object.values(wf?.status.nodes ?? {});
    assert.equal(nodes.filter((n) => n.templateName === "statistics-shard" && n.type === "Pod" && n.phase === "Succeeded").length, 3);
    assert.equal((await koan.metadata.listStepRuns(runId)).find((s) => s.step === "statistics")?.cacheHit, false);
    const dataset = (await koan.load(`${runId}/make/dataset`)) as Dataset;
    assert.deepEqual(await koan.load(`${runId}/statistics/statistics`), (await datasetStatistics(dataset, { recompute: true })).statistics);
    assert.equal(await koan.load(`${runId}/summary/text`), "eval=200,train=400");
  });
});
