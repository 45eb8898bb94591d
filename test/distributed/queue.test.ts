/**
 * The `queue` orchestrator against a real `redis-server` and several `koan worker` processes: independent branches
 * on different workers at once, `koan run` following a run and `--detach`, cancel on every worker, per-step
 * retries and timeouts, a worker killed mid-step, Redis restarting mid-run, and bad input (Redis unreachable,
 * another Koan version, a pipeline file missing on the worker).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { createComponent } from "../../src/core/flavor.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import type { Orchestrator } from "../../src/orchestrators/types.js";
import "../../src/orchestrators/flavors.js";
import type { RunRecord } from "../../src/stores/metadata/types.js";
import { Koan } from "../../src/client/client.js";
import { finished, koan as cli, spawnKoan, waitFor } from "../helpers.js";
import { freePort } from "../stacks/postgres-server.js";
import { HEADER, queueArg, queueWorld, type QueueWorld, type TestWorker } from "./queue-harness.js";
import { redisSkipReason } from "./redis-server.js";

const skip = redisSkipReason();
let w: QueueWorld;
let a: TestWorker;
let b: TestWorker;

/** a → (left, right) → join; left and right wait for each other, so they must run at once. */
const DIAMOND = `${HEADER}
const first = step({ name: "first", outputs: { v: t.json<number>() }, run: () => { mark("first"); return { v: 3 }; } });
const side = (name: string, f: (v: number) => number) => step({ name, inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (ctx, { v }) => {
  mark(name);
  const end = Date.now() + 30000;
  while (count("left") + count("right") < 2 && Date.now() < end) await sleep(20, ctx.signal);
  return { v: f(v) };
} });
const left = side("left", (v) => v + 1);
const right = side("right", (v) => v * 10);
const join_ = step({ name: "join", inputs: { x: t.json<number>(), y: t.json<number>() }, outputs: { s: t.json<number>() }, run: (_c, { x, y }) => { mark("join"); return { s: x + y }; } });
export default pipeline({ name: "diamond", build: () => { const { v } = first(); const l = left({ v }); const r = right({ v }); join_({ x: l.v, y: r.v }); } });
`;

/** two long steps side by side, then one that must never run after a cancel. */
const LONG = `${HEADER}
const long = (name: string) => step({ name, outputs: { v: t.json<number>() }, run: async (ctx) => { mark(name); await sleep(60000, ctx.signal); return { v: 1 }; } });
const l1 = long("l1");
const l2 = long("l2");
const after_ = step({ name: "after", inputs: { x: t.json<number>(), y: t.json<number>() }, outputs: { v: t.json<number>() }, run: () => { mark("after"); return { v: 0 }; } });
export default pipeline({ name: "long", build: () => { const x = l1(); const y = l2(); after_({ x: x.v, y: y.v }); } });
`;

/** retries with backoff (fails twice, then succeeds) and a timeout (downstream is skipped). */
const FLAKY = `${HEADER}
const flaky = step({ name: "flaky", retries: 2, retryDelayMs: 50, outputs: { v: t.json<number>() }, run: () => {
  mark("flaky");
  if (count("flaky") < 3) throw new Error("not yet (attempt " + count("flaky") + ")");
  return { v: 7 };
} });
const slow = step({ name: "slow", timeoutMs: 300, inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (ctx, { v }) => { mark("slow"); await sleep(5000, ctx.signal); return { v }; } });
const never = step({ name: "never", inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: (_c, { v }) => { mark("never"); return { v }; } });
export default pipeline({ name: "flaky", build: () => { const { v } = flaky(); const s = slow({ v }); never({ v: s.v }); } });
`;

/** first → work (slow, marks which worker ran it) → last. */
const CHAIN = `${HEADER}
const first = step({ name: "first", outputs: { v: t.json<number>() }, run: () => ({ v: 5 }) });
const work = step({ name: "work", inputs: { v: t.json<number>() }, outputs: { v: t.json<number[]>() }, run: async (ctx, { v }) => {
  mark("work");
  await sleep(Number(process.env.KOAN_TEST_WORK_MS ?? 4000), ctx.signal);
  return { v: [v, v * 2] };
} });
const last = step({ name: "last", inputs: { v: t.json<number[]>() }, outputs: { s: t.json<number>() }, run: (_c, { v }) => ({ s: v.reduce((x, y) => x + y, 0) }) });
export default pipeline({ name: "chain", build: () => { const { v } = first(); const w = work({ v }); last({ v: w.v }); } });
`;

/** first → three parallel steps (more than two workers can take at once) → last. */
const FAN = `${HEADER}
const first = step({ name: "first", outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });
const par = (name: string) => step({ name, inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (ctx, { v }) => { mark(name); await sleep(2500, ctx.signal); return { v: v + 1 }; } });
const p1 = par("p1");
const p2 = par("p2");
const p3 = par("p3");
const last = step({ name: "last", inputs: { a: t.json<number>(), b: t.json<number>(), c: t.json<number>() }, outputs: { s: t.json<number>() }, run: (_c, { a, b, c }) => ({ s: a + b + c }) });
export default pipeline({ name: "fan", build: () => { const { v } = first(); last({ a: p1({ v }).v, b: p2({ v }).v, c: p3({ v }).v }); } });
`;

before(async () => {
  if (skip) return;
  w = await queueWorld();
  await w.write("diamond.ts", DIAMOND);
  await w.write("long.ts", LONG);
  await w.write("flaky.ts", FLAKY);
  await w.write("chain.ts", CHAIN);
  await w.write("fan.ts", FAN);
  [a, b] = await Promise.all([w.startWorker(), w.startWorker()]);
});

after(async () => {
  if (w) await w.close();
});

/** The newest run of the default (local) stack of the test project. */
async function localRunId(): Promise<string | undefined> {
  const local = await Koan.open({ dir: w.dir, stack: "default" });
  try {
    return (await local.runs({ limit: 1 }))[0]?.id;
  } finally {
    await local.close();
  }
}

const steps = async (run: RunRecord) => Object.fromEntries((await w.client.metadata.listStepRuns(run.id)).map((s) => [s.step, s]));

test("independent branches run on different workers at once; koan run follows the run and returns when it ends", { skip }, async () => {
  await w.clearMarks();
  const r = await cli(["run", "diamond.ts", "--no-cache", "--json"], w.dir, w.env);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { runId: string; status: string };
  assert.equal(out.status, "succeeded");
  assert.equal(await w.client.load(`${out.runId}/join/s`), 4 + 30);
  // left and right waited for each other: with one task per worker, they ran on the two workers.
  const sides = [...(await w.marks_("left")), ...(await w.marks_("right"))];
  assert.equal(sides.length, 2);
  assert.deepEqual(new Set(sides.map((f) => Number(f.split(".")[1]))).size, 2);
  const run = await w.client.getRun(out.runId);
  assert.equal(run.pid, 0);
  assert.deepEqual(Object.values(await steps(run)).map((s) => s.status), ["succeeded", "succeeded", "succeeded", "succeeded"]);
});

test("--detach returns at once with the run id; the workers complete it", { skip }, async () => {
  const r = await cli(["run", "chain.ts", "--detach", "--json"], w.dir, w.env);
  assert.equal(r.code, 0, r.stderr);
  const { runId, status } = JSON.parse(r.stdout) as { runId: string; status: string };
  assert.equal(status, "running");
  const run = await w.ended(runId);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  assert.equal(await w.client.load(`${runId}/last/s`), 15);
  const shown = await cli(["runs", "show", runId], w.dir, w.env);
  assert.match(shown.stdout, /succeeded/);
});

test("retries with backoff and timeouts apply per step; steps after a failure are skipped", { skip }, async () => {
  await w.clearMarks();
  const run = await w.submit(`${w.dir}/flaky.ts`);
  const done = await w.ended(run.id);
  assert.equal(done.status, "failed");
  const s = await steps(run);
  assert.equal(s.flaky?.status, "succeeded");
  assert.equal(s.flaky?.attempts, 3);
  assert.equal(s.slow?.status, "failed");
  assert.equal(s.slow?.error?.code, "STEP_TIMEOUT");
  assert.equal(s.never?.status, "skipped");
  assert.equal((await w.marks_("never")).length, 0);
  assert.equal(done.error?.code, "STEP_TIMEOUT");
});

test("koan runs cancel stops the run's steps on every worker; nothing after them runs", { skip }, async () => {
  await w.clearMarks();
  const run = await w.submit(`${w.dir}/long.ts`);
  await waitFor(async () => (await w.marks_("l1")).length + (await w.marks_("l2")).length === 2, 60_000, "both long steps to start");
  const r = await cli(["runs", "cancel", run.id.slice(0, 14)], w.dir, w.env);
  assert.equal(r.code, 0, r.stderr);
  const done = await w.ended(run.id);
  assert.equal(done.status, "cancelled");
  await waitFor(async () => Object.values(await steps(run)).every((x) => x.status !== "running"), 20_000, "the steps to stop");
  const s = await steps(run);
  assert.equal(s.l1?.status, "cancelled");
  assert.equal(s.l2?.status, "cancelled");
  assert.equal(s.after, undefined);
  assert.equal((await w.marks_("after")).length, 0);
  const again = await cli(["runs", "cancel", run.id], w.dir, w.env);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /is cancelled: there is nothing to cancel/);
});

test("Ctrl-C in an attached koan run cancels the queued run; koan runs cancel sends a local run's process Ctrl-C", { skip }, async () => {
  await w.clearMarks();
  const attached = spawnKoan(["run", "long.ts", "--no-cache"], w.dir, w.env);
  const result = finished(attached);
  await waitFor(async () => (await w.marks_("l1")).length + (await w.marks_("l2")).length === 2, 60_000, "both long steps to start");
  attached.kill("SIGINT");
  const r = await result;
  assert.equal(r.code, 130, r.stderr);
  const [queued] = await w.client.runs({ pipeline: "long", limit: 1 });
  assert.equal(queued?.status, "cancelled");
  await waitFor(async () => (await w.client.metadata.listStepRuns(queued?.id as string)).every((x) => x.status === "cancelled"), 20_000, "the steps to be cancelled");

  await w.clearMarks();
  const local = spawnKoan(["run", "long.ts", "--no-cache", "--stack", "default"], w.dir, w.env);
  const localDone = finished(local);
  await waitFor(async () => (await w.marks_("l1")).length + (await w.marks_("l2")).length === 2, 60_000, "the local run's steps to start");
  const byCancel = await cli(["runs", "cancel", "--stack", "default", (await localRunId()) as string], w.dir, w.env);
  assert.equal(byCancel.code, 0, byCancel.stderr);
  assert.match(byCancel.stderr, /its process \d+ stopped it/);
  assert.equal((await localDone).code, 130);
});

test("a worker killed with SIGKILL mid-step: another worker retries the step, the run completes, one step run, one artifact", { skip }, async () => {
  await w.clearMarks();
  const run = await w.submit(`${w.dir}/chain.ts`);
  await waitFor(async () => (await w.marks_("work")).length === 1, 60_000, "the work step to start");
  const [mark] = await w.marks_("work");
  const victim = [a, b].find((x) => x.pid === Number(mark?.split(".")[1]));
  assert.ok(victim, `the step ran on a worker: ${mark}`);
  victim.child.kill("SIGKILL");
  await victim.stop();
  const done = await w.ended(run.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  const works = await w.marks_("work");
  assert.equal(works.length, 2);
  assert.notEqual(works[0]?.split(".")[1], works[1]?.split(".")[1]);
  const s = await steps(run);
  assert.equal(s.work?.status, "succeeded");
  assert.equal((s.work?.meta as { takenOver?: unknown[] }).takenOver?.length, 1);
  const outputs = (await w.client.metadata.eventsOfStepRuns([s.work?.id as string])).filter((e) => e.kind === "output");
  assert.equal(outputs.length, 1);
  assert.equal(await w.client.load(`${run.id}/last/s`), 15);
  assert.deepEqual((await w.client.verify()).problems, []);
  // Replace the killed worker for the tests that follow.
  const replacement = await w.startWorker();
  if (victim === a) a = replacement;
  else b = replacement;
});

test("Redis restarting without its data mid-run does not lose the run: ready steps are re-enqueued from the metadata store", { skip }, async () => {
  await w.clearMarks();
  const run = await w.submit(`${w.dir}/fan.ts`);
  // Two workers take two of the three parallel steps; the third waits in Redis, which then loses it.
  await waitFor(async () => (await w.marks_("p1")).length + (await w.marks_("p2")).length + (await w.marks_("p3")).length === 2, 60_000, "two parallel steps to start");
  await w.redis.kill();
  await new Promise((r) => setTimeout(r, 500));
  await w.redis.start();
  const done = await w.ended(run.id, 120_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  for (const p of ["p1", "p2", "p3"]) assert.equal((await w.marks_(p)).length, 1, `${p} ran once`);
  assert.equal(await w.client.load(`${run.id}/last/s`), 6);
  assert.match(a.output() + b.output(), /is back; re-enqueueing/);
});

test("bad input: Redis unreachable (nothing recorded or enqueued), a worker on a local stack, --detach on a local stack", { skip }, async () => {
  const port = await freePort();
  const reg = await cli(["stack", "register", "down", "--artifact-store", `${w.dir}/shared/artifacts`, "--metadata-store", `${w.dir}/shared/meta.db`, "--orchestrator", queueArg(`redis://127.0.0.1:${port}`)], w.dir, w.env);
  assert.equal(reg.code, 0, reg.stderr);
  const before = await w.client.metadata.countRuns({});
  const r = await cli(["run", "chain.ts", "--stack", "down"], w.dir, w.env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}`));
  assert.match(r.stderr, /nothing was enqueued/);
  const detached = await cli(["run", "chain.ts", "--stack", "down", "--detach"], w.dir, w.env);
  assert.equal(detached.code, 1);
  assert.equal(await w.client.metadata.countRuns({}), before);
  const worker = await cli(["worker", "--stack", "down"], w.dir, w.env);
  assert.equal(worker.code, 1);
  assert.match(worker.stderr, /cannot reach Redis/);
  const local = await cli(["worker", "--stack", "default"], w.dir, w.env);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /uses the local orchestrator; koan worker serves stacks with the queue orchestrator/);
  const detachLocal = await cli(["run", "chain.ts", "--stack", "default", "--detach"], w.dir, w.env);
  assert.equal(detachLocal.code, 2);
  assert.match(detachLocal.stderr, /cannot be detached/);

  // A queue no worker serves: koan run says what it waits for (and Ctrl-C still cancels it).
  const idle = await cli(["stack", "register", "idle", "--artifact-store", `${w.dir}/shared/artifacts`, "--metadata-store", `${w.dir}/shared/meta.db`, "--orchestrator", `${queueArg(w.redis.url)}&queue=nobody`], w.dir, w.env);
  assert.equal(idle.code, 0, idle.stderr);
  const waiting = spawnKoan(["run", "chain.ts", "--stack", "idle"], w.dir, w.env);
  let said = "";
  waiting.stderr?.on("data", (d: Buffer) => (said += d.toString()));
  const waited = finished(waiting);
  await waitFor(() => /\[first\] queued on "nobody", waiting for a worker \(start one: koan worker --stack idle\)/.test(said), 60_000, "the waiting hint");
  waiting.kill("SIGINT");
  assert.equal((await waited).code, 130);
});

test("bad input: a run of another Koan version is refused by the worker; a pipeline file missing on the worker fails its step", { skip }, async () => {
  const orchestrator = await createComponent<Orchestrator>("orchestrator", "queue", w.client.stack.orchestrator.config, { projectDir: w.dir });
  const loaded = await loadPipelineFile(`${w.dir}/chain.ts`);
  const base = await w.client.createRun(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
  await w.client.metadata.finishRun(base.id, "cancelled", new Date().toISOString(), null);
  const other: RunRecord = { ...base, id: `${base.id.slice(0, -4)}beef`, status: "running", endedAt: null, environment: { ...(base.environment as object), koan: "0.0.0-other" } };
  await w.client.metadata.createRun(other);
  await orchestrator.submit?.({ run: other, metadata: w.client.metadata });
  const refused = await w.ended(other.id);
  assert.equal(refused.status, "failed");
  assert.equal(refused.error?.code, "VERSION_MISMATCH");
  assert.match(refused.error?.message ?? "", /was started with Koan 0\.0\.0-other/);
  assert.equal((await steps(other)).last?.status, "skipped");
  await waitFor(() => /refused: this executor .* runs Koan/.test(a.output() + b.output()), 10_000, "the worker to say it refused");

  const gone = await w.write("gone.ts", CHAIN.replace('"chain"', '"gone"'));
  const g = await loadPipelineFile(gone);
  const run = await w.client.createRun(g.pipeline, { pipelineFile: g.file, sourceHash: g.sourceHash });
  await rm(gone);
  await orchestrator.submit?.({ run, metadata: w.client.metadata });
  const failed = await w.ended(run.id);
  assert.equal(failed.status, "failed");
  assert.equal(failed.error?.code, "PIPELINE_FILE_NOT_FOUND");
  assert.match(failed.error?.message ?? "", /is not on this machine/);
});
