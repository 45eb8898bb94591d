/**
 * A run whose step goes to the real vertex backend, pointed at local fakes of Vertex AI and Cloud Logging (as a
 * test flavor that is not remote, so the run may keep its local stores): the job's Cloud Logging lines become the
 * step's live lines and, when the job ends without recording the step (its container failed), its stored log —
 * each line once and in order, the tail read after the job's end included. A job whose log may not be read
 * (HTTP 403) still succeeds, with one warning: there the fake runs the job's `koan step-run` for real.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defineStepBackend, vertexBackendConfig } from "../../src/backends/flavors.js";
import { createVertexBackend } from "../../src/backends/vertex/backend.js";
import { entryLines } from "../../src/backends/vertex/logging.js";
import { Koan } from "../../src/client/client.js";
import { loadPipelineFile, type LoadedPipeline } from "../../src/loader/pipeline-file.js";
import type { RunEvent } from "../../src/runner/types.js";
import { spawnKoan, type tempProject } from "../helpers.js";
import { fakeServer, type FakeServer } from "./fake-server.js";
import { fakeVertex, LOG_ENTRIES, vertexFixture } from "./fake-vertex.js";
import { backendProject } from "./project.js";

defineStepBackend({
  name: "vertex-local",
  remote: false,
  description: "test: the vertex backend against local fakes of Vertex AI and Cloud Logging",
  config: vertexBackendConfig,
  load: async () => async (config) => createVertexBackend(config, { token: async () => "test-token" }),
});

const PIPELINE = `import { pipeline, step, types as t } from "koan";
const load = step({ name: "load", outputs: { xs: t.json<number[]>() }, run: () => ({ xs: [1, 2, 3] }) });
const train = step({
  name: "train",
  backend: "gpu",
  inputs: { xs: t.json<number[]>() },
  outputs: { model: t.json<number>() },
  run: (ctx, { xs }) => { ctx.log.info("training on " + xs.length + " values"); return { model: xs.length }; },
});
export default pipeline({ name: "vertex-logs-demo", build: () => { train(load()); } });
`;

const ALL_LINES = LOG_ENTRIES.flatMap((e) => entryLines(e));

describe("a run following a vertex job's log", () => {
  let server: FakeServer;
  const fake = fakeVertex();
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let koan: Koan;
  let loaded: LoadedPipeline;
  let job: ChildProcess | undefined;

  before(async () => {
    server = await fakeServer(fake.routes);
    proj = await backendProject("vertex-logs-demo", PIPELINE, (stacks) => {
      (stacks.default as Record<string, unknown>).stepBackends = {
        gpu: { flavor: "vertex-local", config: { image: "local", project: "acme", region: "us-central1", pollMs: 20, logSettleMs: 0, apiEndpoint: server.url, loggingEndpoint: server.url } },
      };
    });
    koan = await Koan.open({ dir: proj.dir });
    loaded = await loadPipelineFile(join(proj.dir, "pipeline.ts"));
  });
  after(async () => {
    job?.kill("SIGKILL");
    await koan?.close();
    await proj?.cleanup();
    await server?.close();
  });

  const run = (events: RunEvent[]) => koan.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, onEvent: (e) => events.push(e) });

  it("keeps the job's lines once and in order as the step's log when the job fails before recording the step", async () => {
    const revealed = [0, 0, 3, 5, 6, 9];
    fake.reset({ states: ["job-pending", "job-running", "job-running", "job-running", "job-failed"], entries: LOG_ENTRIES, visible: (gets) => revealed[Math.min(gets, revealed.length - 1)] ?? 0 });
    const events: RunEvent[] = [];
    const result = await run(events);
    assert.equal(result.status, "failed");
    assert.match(result.error?.message ?? "", /workerpool0-0 exited with a non-zero status of 1/);
    const train = result.steps.find((s) => s.step === "train");
    assert.equal(train?.status, "failed");
    const stored = (await koan.stepLog(train as never)).split("\n");
    assert.deepEqual(
      stored.filter((l) => ALL_LINES.includes(l)),
      ALL_LINES,
      "every line of the job's log, once, in order",
    );
    const lastLine = stored.lastIndexOf(ALL_LINES[ALL_LINES.length - 1] ?? "");
    const end = stored.findIndex((l) => /INFO {2}vertex-local job .* is failed/.test(l));
    assert.ok(end > lastLine, "the tail read after the job's end comes before the end is told");
    const live = events.flatMap((e) => (e.type === "step-log" && e.step === "train" ? [e.line] : []));
    assert.deepEqual(live.filter((l) => ALL_LINES.includes(l)), ALL_LINES, "the same lines, live");
  });

  it("warns once and still succeeds when the job's log may not be read (HTTP 403)", async () => {
    let exit: number | null | undefined;
    fake.reset({
      states: () => (exit === undefined ? "job-running" : exit === 0 ? "job-succeeded" : "job-failed"),
      loggingError: { status: 403, json: vertexFixture("logging-denied-403"), times: Infinity },
      onCreate: (body) => {
        // Run what the CustomJob's container would run: its command line and environment, on the same stack.
        const spec = (body as { jobSpec: { workerPoolSpecs: { containerSpec: { args: string[]; env: { name: string; value: string }[] } }[] } }).jobSpec.workerPoolSpecs[0]?.containerSpec;
        job = spawnKoan(spec?.args ?? [], proj.dir, Object.fromEntries((spec?.env ?? []).map((e) => [e.name, e.value])));
        job.on("exit", (code) => (exit = code));
      },
    });
    server.requests.length = 0;
    const events: RunEvent[] = [];
    const result = await run(events);
    assert.equal(result.status, "succeeded", result.error?.message);
    const train = result.steps.find((s) => s.step === "train");
    assert.equal(train?.status, "succeeded");
    assert.match(await koan.stepLog(train as never), /training on 3 values/, "the step run the job recorded");
    const warnings = events.filter((e) => e.type === "step-log" && /roles\/logging\.viewer/.test(e.line));
    assert.equal(warnings.length, 1);
    assert.equal(fake.logCalls(server.requests).length, 1, "the log is not asked for again once refused");
  });
});
