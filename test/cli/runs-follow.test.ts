/**
 * `koan runs show <run> --follow`: a run executing in another process (a local `koan run`, or a detached run on
 * the queue orchestrator's workers) is followed from the metadata store — its state now, then one line per step
 * status change (NDJSON with `--json`), step logs as written with `--logs` — until it ends, with the run's exit
 * code; Ctrl-C stops following, not the run. The runs wait on a gate file the test creates, so no timing is
 * assumed.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventLine } from "../../src/cli/run-follow.js";
import { finished, koan as cli, spawnKoan, tempProject, waitFor } from "../helpers.js";
import { queueWorld, type QueueWorld } from "../distributed/queue-harness.js";
import { redisSkipReason } from "../distributed/redis-server.js";

/** `a`, then `gate` (waits for the file $KOAN_TEST_GATE; fails when $KOAN_TEST_FAIL is set), then `b`. */
const PIPELINE = `import { pipeline, step, types as t } from "koan";
import { existsSync } from "node:fs";
const a = step({ name: "a", outputs: { x: t.json<number>() }, run: () => ({ x: 1 }) });
const gate = step({ name: "gate", inputs: { x: t.json<number>() }, outputs: { y: t.json<number>() }, run: async (ctx, { x }) => {
  ctx.log.info("waiting for the gate");
  while (!existsSync(process.env.KOAN_TEST_GATE as string)) await new Promise((r) => setTimeout(r, 50));
  ctx.log.info("the gate is open");
  if (process.env.KOAN_TEST_FAIL) throw new Error("the gate was broken");
  return { y: x + 1 };
} });
const b = step({ name: "b", inputs: { y: t.json<number>() }, outputs: { z: t.json<number>() }, run: (_c, { y }) => ({ z: y * 2 }) });
export default pipeline({ name: "gated", build: () => { const { x } = a(); const { y } = gate({ x }); b({ y }); } });
`;

/** Collect a child's output as it comes. */
function watch(child: ChildProcess): { child: ChildProcess; out: () => string; err: () => string; done: ReturnType<typeof finished> } {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err, done: finished(child) };
}

/** The lines of `text` after the state, without their time. */
const events = (text: string): string[] => text.split("\n").filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l)).map((l) => l.slice(10));

describe("koan runs show --follow (a local run in another process)", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let n = 0;
  /** Start `koan run` in a child process and wait until its gate step runs; returns the run id. */
  const startRun = async (env: NodeJS.ProcessEnv) => {
    const gateFile = join(proj.dir, `gate-${++n}`);
    const child = watch(spawnKoan(["run", "pipeline.ts", "--no-cache"], proj.dir, { KOAN_TEST_GATE: gateFile, ...env }));
    await waitFor(() => /\[gate\] started/.test(child.err()), 60_000, "the gate step to start");
    const runId = /run (r-\S+) of gated/.exec(child.err())?.[1] as string;
    return { runId, open: () => writeFileSync(gateFile, ""), run: child };
  };
  /** Follow `runId` until its state is printed. */
  const follow = async (runId: string, args: string[]) => {
    const f = watch(spawnKoan(["runs", "show", runId, ...args], proj.dir));
    await waitFor(() => /following run/.test(f.err()) || /"type":"run"/.test(f.out()) || f.child.exitCode !== null, 60_000, "the follower to print the run's state");
    return f;
  };

  before(async () => {
    proj = await tempProject();
    await proj.write("pipeline.ts", PIPELINE);
    assert.equal((await cli(["init"], proj.dir)).code, 0);
  });
  after(async () => {
    await proj?.cleanup();
  });

  it("prints the state, then each step's status change and its log lines, and exits 0 when the run succeeds", async () => {
    const { runId, open, run } = await startRun({});
    const f = await follow(runId, ["-f", "--logs"]);
    assert.match(f.out(), new RegExp(`run ${runId} {2}pipeline gated {2}running`));
    assert.match(f.out(), /^a +succeeded +miss/m, "the state as now: a has succeeded");
    assert.match(f.out(), /^gate +running/m);
    await waitFor(() => /waiting for the gate/.test(f.out()), 30_000, "the running step's live log");
    open();
    const [ran, followed] = await Promise.all([run.done, f.done]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(followed.code, 0, followed.stderr);
    const lines = events(followed.stdout);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.ok(at(/^\[gate\] .*the gate is open$/) >= 0, lines.join("\n"));
    assert.ok(at(/^gate {2}succeeded {2}cache miss {2}\d/) > at(/the gate is open/), "the step's last log line comes before the line saying it ended");
    assert.ok(at(/^b {2}running$/) > at(/^gate {2}succeeded/));
    assert.ok(at(/^b {2}succeeded {2}cache miss {2}\d/) > at(/^b {2}running$/));
    assert.equal(lines.filter((l) => /^a /.test(l)).length, 0, "what the state showed is not repeated");
    assert.match(followed.stdout, new RegExp(`run ${runId} succeeded in \\S+\\n$`));
    assert.doesNotMatch(followed.stdout, /\u001b\[/, "no colour without a TTY");
  });

  it("Ctrl-C stops following with 130 and leaves the run running", async () => {
    const { runId, open, run } = await startRun({});
    const f = await follow(runId, ["--follow"]);
    f.child.kill("SIGINT");
    const stopped = await f.done;
    assert.equal(stopped.code, 130);
    assert.match(stopped.stderr, new RegExp(`stopped following run ${runId}; it goes on`));
    const now = await cli(["runs", "show", runId, "--json"], proj.dir);
    assert.equal((JSON.parse(now.stdout) as { run: { status: string } }).run.status, "running");
    open();
    assert.equal((await run.done).code, 0);
  });

  it("with --json: NDJSON — the state, events, then the final run; exit 1 for a failed run", async () => {
    const { runId, open, run } = await startRun({ KOAN_TEST_FAIL: "1" });
    const f = await follow(runId, ["--follow", "--json"]);
    open();
    const [ran, followed] = await Promise.all([run.done, f.done]);
    assert.equal(ran.code, 1);
    assert.equal(followed.code, 1, followed.stderr);
    const lines = followed.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; step?: string; status?: string; error?: string; run?: { status: string } });
    assert.equal(lines[0]?.type, "run");
    assert.equal(lines[0]?.run?.status, "running");
    const last = lines[lines.length - 1];
    assert.equal(last?.type, "run");
    assert.equal(last?.run?.status, "failed");
    const middle = lines.slice(1, -1);
    assert.ok(middle.every((l) => ["step-started", "step-finished", "step-log"].includes(l.type)), JSON.stringify(middle));
    assert.match(middle.find((l) => l.type === "step-finished" && l.step === "gate")?.error ?? "", /the gate was broken/);
    assert.equal(middle.find((l) => l.type === "step-finished" && l.step === "b")?.status, "skipped");
    assert.equal(middle.findIndex((l) => l.step === "b"), middle.length - 1, "b is skipped after gate failed");

    // A finished run: printed once, with its exit code.
    const again = await cli(["runs", "show", runId, "--follow"], proj.dir);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /^gate +failed/m);
    assert.doesNotMatch(again.stderr, /following/);
  });

  it("an unknown run id is a clear error (exit 2)", async () => {
    const out = await cli(["runs", "show", "r-nosuchrun", "--follow"], proj.dir);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /no run "r-nosuchrun"/);
  });
});

describe("event lines", () => {
  it("say step, status, cache hit or miss and duration; skipped steps have neither", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    assert.equal(eventLine({ type: "step-finished", runId: "r", step: "train", status: "succeeded", cacheHit: true, durationMs: 1500 }, at), "03:04:05  train  succeeded  cache hit  1.5s");
    assert.equal(eventLine({ type: "step-finished", runId: "r", step: "eval", status: "skipped", cacheHit: false, durationMs: 0 }, at), "03:04:05  eval  skipped");
    assert.equal(eventLine({ type: "step-started", runId: "r", step: "train", attempt: 2 }, at), "03:04:05  train  running  attempt 2");
  });
});

const skip = redisSkipReason();

describe("koan runs show --follow (a detached run on the queue orchestrator)", { skip }, () => {
  let w: QueueWorld;
  const gateFile = (): string => join(w.dir, "gate");
  before(async () => {
    w = await queueWorld();
    w.env.KOAN_TEST_GATE = gateFile(); // the workers' task processes wait on it
    await w.write("pipeline.ts", PIPELINE);
    await w.startWorker(["--concurrency", "1"]);
  });
  after(async () => {
    if (w) await w.close();
  });

  it("koan run --detach hints at --follow; following the detached run ends with it, exit 0", async () => {
    const started = await cli(["run", "pipeline.ts", "--detach", "--no-cache"], w.dir, w.env);
    assert.equal(started.code, 0, started.stderr);
    const runId = started.stdout.trim();
    assert.match(started.stderr, new RegExp(`koan runs show ${runId} --follow`));
    const f = watch(spawnKoan(["runs", "show", runId, "--follow"], w.dir, w.env));
    await waitFor(() => /^(\d\d:\d\d:\d\d {2})?gate +running/m.test(f.out()), 60_000, "the gate step to run on the worker");
    writeFileSync(gateFile(), "");
    const followed = await f.done;
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /b {2}succeeded {2}cache miss/);
    assert.match(followed.stdout, new RegExp(`run ${runId} succeeded`));
  });
});
