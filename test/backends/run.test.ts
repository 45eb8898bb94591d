/**
 * Step backends in a run, end to end: a step whose backend is not local is submitted as a job that runs
 * `koan step-run <run> <step>` for real, in a separate process against the same local stack (the `subprocess`
 * test backend); the run picks its outputs up from the metadata store, downstream steps use them, and the cache
 * key does not depend on the backend. Failures, cancellation and refusals before anything is recorded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Koan } from "../../src/client/client.js";
import { KoanError } from "../../src/core/errors.js";
import { writeBuildRecord } from "../../src/backends/image.js";
import { planBackends, parseBackendFlags } from "../../src/backends/plan.js";
import { loadPipelineFile, type LoadedPipeline } from "../../src/loader/pipeline-file.js";
import type { RunEvent, StackConfig } from "../../src/runner/types.js";
import { koan as cli, tempProject, waitFor } from "../helpers.js";
import { backendProject } from "./project.js";
import { started } from "./subprocess-backend.js";

const PIPELINE = `import { pipeline, step, types as t } from "koan";
import { z } from "zod";
const load = step({ name: "load", outputs: { xs: t.json<number[]>() }, run: () => ({ xs: [1, 2, 3, 4] }) });
const train = step({
  name: "train",
  backend: "sub",
  inputs: { xs: t.json<number[]>() },
  outputs: { model: t.json<{ sum: number; pid: number }>() },
  params: z.object({ fail: z.boolean().default(false), sleepMs: z.number().default(0), tag: z.string().default("") }),
  run: async (ctx, { xs }, { fail, sleepMs }) => {
    ctx.log.info("training on " + xs.length + " values");
    if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
    if (fail) throw new Error("loss is NaN");
    return { model: { sum: xs.reduce((a, b) => a + b, 0), pid: process.pid } };
  },
});
const report = step({ name: "report", inputs: { model: t.json<{ sum: number; pid: number }>() }, outputs: { text: t.json<string>() }, run: (_c, { model }) => ({ text: "sum=" + model.sum }) });
export default pipeline({ name: "backend-demo", build: () => { report(train(load())); } });
`;

describe("a step on a step backend", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let koan: Koan;
  let loaded: LoadedPipeline;

  before(async () => {
    proj = await backendProject("backend-demo", PIPELINE, (stacks, dir) => {
      const stack = stacks.default as Record<string, unknown>;
      stack.stepBackends = { sub: { flavor: "subprocess", config: { image: "local", projectDir: dir, pollMs: 30 } } };
      stacks.refusing = { ...stack, stepBackends: { sub: { flavor: "subprocess", config: { image: "local", projectDir: dir, pollMs: 30, failSubmit: true } } } };
      stacks.cloud = { ...stack, stepBackends: { sub: { flavor: "vertex", config: { project: "acme", region: "us-central1" } } } };
    });
    koan = await Koan.open({ dir: proj.dir });
    loaded = await loadPipelineFile(join(proj.dir, "pipeline.ts"));
  });
  after(async () => {
    await koan?.close();
    for (const { proc } of started.values()) if (!proc.exit) proc.child.kill("SIGKILL");
    await proj?.cleanup();
  });

  const run = (k: Koan, options: Parameters<Koan["run"]>[1] = {}) => k.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, ...options });

  it("runs it as koan step-run in another process and takes its outputs from the metadata store", async () => {
    const events: RunEvent[] = [];
    const result = await run(koan, { onEvent: (e) => events.push(e), params: { train: { tag: "first" } } });
    assert.equal(result.status, "succeeded", result.error?.message);
    const model = (await koan.load(result.outputs.train?.model as never)) as { sum: number; pid: number };
    assert.equal(model.sum, 10);
    assert.notEqual(model.pid, process.pid, "computed in another process");
    assert.equal(await koan.load(result.outputs.report?.text as never), "sum=10", "the downstream step used the remote output");
    const trains = result.steps.filter((s) => s.step === "train");
    assert.equal(trains.length, 1, "one step run for the step (recorded by the remote side)");
    assert.equal(trains[0]?.status, "succeeded");
    assert.match(await koan.stepLog(trains[0] as never), /training on 4 values/);
    const job = [...started.values()].find((j) => j.job.runId === result.runId);
    assert.deepEqual(job?.job.command, ["koan", "step-run", result.runId, "train"]);
    assert.ok(events.some((e) => e.type === "step-log" && /submitting subprocess job koan-train-/.test(e.line)));
    assert.ok(events.some((e) => e.type === "step-finished" && e.step === "train" && e.status === "succeeded"));
    const runRecord = await koan.getRun(result.runId);
    assert.deepEqual((runRecord.config as { backends?: unknown }).backends, { train: { backend: "sub", flavor: "subprocess", image: "local" } });
  });

  it("keeps the cache key: the remote result is a cache hit here, and here-computed results are hits for the backend", async () => {
    const before = started.size;
    const local = await run(koan, { backends: { train: "local" }, params: { train: { tag: "first" } } });
    assert.equal(local.status, "succeeded", local.error?.message);
    assert.equal(local.steps.find((s) => s.step === "train")?.cacheHit, true, "computed remotely, a hit locally");
    const again = await run(koan, { params: { train: { tag: "first" } } });
    assert.equal(again.steps.find((s) => s.step === "train")?.cacheHit, true);
    assert.equal(started.size, before, "no job is submitted for a cache hit");
    const here = await run(koan, { backends: { train: "local" }, params: { train: { tag: "second" } } });
    assert.equal(here.steps.find((s) => s.step === "train")?.cacheHit, false);
    const there = await run(koan, { params: { train: { tag: "second" } } });
    assert.equal(there.steps.find((s) => s.step === "train")?.cacheHit, true, "computed locally, a hit for the backend");
    assert.equal(started.size, before);
  });

  it("maps a step that fails remotely onto the step run, with the step's own error", async () => {
    const result = await run(koan, { params: { train: { fail: true } } });
    assert.equal(result.status, "failed");
    assert.match(result.error?.message ?? "", /loss is NaN/);
    const trains = result.steps.filter((s) => s.step === "train");
    assert.equal(trains.length, 1);
    assert.equal(trains[0]?.status, "failed");
    assert.equal(result.steps.find((s) => s.step === "report")?.status, "skipped");
  });

  it("cancels the job when the run is cancelled", async () => {
    const controller = new AbortController();
    const pending = run(koan, { signal: controller.signal, params: { train: { sleepMs: 60_000 } } });
    await waitFor(async () => (await koan.runs({ limit: 1 }))[0]?.status === "running" && (await koan.metadata.listStepRuns((await koan.runs({ limit: 1 }))[0]?.id ?? "")).some((s) => s.step === "train" && s.status === "running"), 60_000, "the remote step to start");
    controller.abort();
    const result = await pending;
    assert.equal(result.status, "cancelled");
    const trains = result.steps.filter((s) => s.step === "train");
    assert.equal(trains.length, 1);
    assert.equal(trains[0]?.status, "cancelled");
    const job = [...started.values()].find((j) => j.job.runId === result.runId);
    assert.ok(job?.proc.exit, "the job's process ended");
  });

  it("records a job the platform refuses as the step's failure", async () => {
    const k = await Koan.open({ dir: proj.dir, stack: "refusing" });
    try {
      const result = await run(k, { params: { train: { tag: "refused" } } });
      assert.equal(result.status, "failed");
      assert.match(result.error?.message ?? "", /quota exceeded/);
      const train = result.steps.find((s) => s.step === "train");
      assert.equal(train?.status, "failed");
      assert.equal((train?.meta as { backend?: { name: string } }).backend?.name, "sub");
    } finally {
      await k.close();
    }
  });

  it("refuses, before recording anything: an unknown backend, an override naming no step, a remote backend on local stores", async () => {
    const count = async (k: Koan) => (await k.runs({ limit: 1000 })).length;
    const n = await count(koan);
    await assert.rejects(run(koan, { backends: { train: "gpu" } }), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /step backend "gpu", which stack "default" does not configure/.test(e.message) && /sub, local/.test(e.hint ?? ""));
    await assert.rejects(run(koan, { backends: { nope: "local" } }), (e: unknown) => e instanceof KoanError && e.code === "USAGE" && /"nope"/.test(e.message));
    const cloud = await Koan.open({ dir: proj.dir, stack: "cloud" });
    try {
      await assert.rejects(run(cloud), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /folder on this machine/.test(e.message) && /SQLite file/.test(e.message) && /cannot reach/.test(e.message));
    } finally {
      await cloud.close();
    }
    assert.equal(await count(koan), n, "no run was recorded");
  });

  it("koan run --backend runs the step here, and refuses a malformed flag", async () => {
    const ok = await cli(["run", "pipeline.ts", "--backend", "train=local", "--json"], proj.dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).status, "succeeded");
    const bad = await cli(["run", "pipeline.ts", "--backend", "train"], proj.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not step=backend/);
    assert.throws(() => parseBackendFlags(["a=x", "a=y"]), /twice/);
  });
});

describe("planning backends", () => {
  const remoteStores = (stepBackends: StackConfig["stepBackends"]): StackConfig => ({
    name: "team",
    artifactStore: { flavor: "s3", config: { bucket: "acme" } },
    metadataStore: { flavor: "postgres", config: { url: "postgres://koan@db/koan" } },
    orchestrator: { flavor: "local", config: {} },
    stepBackends,
  });
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let loaded: LoadedPipeline;
  before(async () => {
    proj = await tempProject();
    await proj.write("pipeline.ts", PIPELINE);
    loaded = await loadPipelineFile(join(proj.dir, "pipeline.ts"));
  });
  after(() => proj.cleanup());

  it("refuses missing credentials", async () => {
    const saved = { ...process.env };
    process.env.GOOGLE_APPLICATION_CREDENTIALS = join(proj.dir, "no-such-key.json");
    try {
      await assert.rejects(
        planBackends({ pipeline: loaded.pipeline, projectDir: proj.dir, stack: remoteStores({ sub: { flavor: "vertex", config: { project: "acme", image: "gcr.io/acme/app:1" } } }) }),
        (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /step backend "sub" \(vertex\): no Google Cloud credentials/.test(e.message),
      );
    } finally {
      process.env = saved;
    }
  });

  it("refuses a backend without an image, and an image built from other code", async () => {
    const stack = remoteStores({ sub: { flavor: "subprocess", config: { projectDir: proj.dir } } });
    await assert.rejects(planBackends({ pipeline: loaded.pipeline, projectDir: proj.dir, stack }), (e: unknown) => e instanceof KoanError && /needs a container image/.test(e.message) && /koan build/.test(e.hint ?? ""));
    await writeBuildRecord(proj.dir, { image: "gcr.io/acme/app:old", contextDir: "/x", createdAt: new Date().toISOString(), git: { commit: "0123456789abcdef", dirty: false, diffHash: null }, lockfileHash: null, koan: "0.0.0" });
    await assert.rejects(planBackends({ pipeline: loaded.pipeline, projectDir: proj.dir, stack }), (e: unknown) => e instanceof KoanError && /gcr.io\/acme\/app:old .* does not hold this project's code: the image was built from commit 0123456789ab/.test(e.message));
  });

  it("refuses secrets in a backend's config, and returns nothing when every step runs here", async () => {
    await assert.rejects(
      planBackends({ pipeline: loaded.pipeline, projectDir: proj.dir, stack: remoteStores({ sub: { flavor: "vertex", config: { project: "{{secret:gcp}}" } } }) }),
      (e: unknown) => e instanceof KoanError && /references secrets \(gcp\)/.test(e.message),
    );
    assert.equal(await planBackends({ pipeline: loaded.pipeline, projectDir: proj.dir, stack: remoteStores(undefined), overrides: { train: "local" } }), undefined);
  });
});
