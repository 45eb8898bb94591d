/**
 * `koan step-run <run> <step>`: every step of a run created without executing it runs in its own process; inputs
 * come from the upstream steps' recorded outputs; a step runs once however often it is delivered; refusals
 * (changed or missing pipeline file, another Koan version) are recorded; a cancelled run stops its step; a killed
 * executor's step is taken over by the next one without a duplicate artifact.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Koan } from "../../src/index.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import type { RunRecord } from "../../src/stores/metadata/types.js";
import { finished, koan as cli, spawnKoan, tempProject, waitFor } from "../helpers.js";

/** a → b → c; b sleeps when asked to (so it can be cancelled or killed mid-step); each execution leaves a marker file. */
const PIPELINE = `import { pipeline, step, types as t } from "koan";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
const mark = (name: string) => writeFileSync(join(process.env.KOAN_TEST_MARKS as string, name + "." + process.pid + "." + Math.random().toString(36).slice(2)), "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const a = step({ name: "a", outputs: { v: t.json<number>() }, run: () => { mark("a"); return { v: 20 }; } });
const b = step({ name: "b", inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (ctx, { v }) => {
  mark("b");
  const ms = Number(process.env.KOAN_TEST_SLEEP ?? 0);
  if (ms) { mark("b-sleeping"); await Promise.race([sleep(ms), new Promise((_, no) => ctx.signal.addEventListener("abort", () => no(new Error("aborted"))))]); }
  return { v: v + 1 };
} });
const c = step({ name: "c", inputs: { x: t.json<number>(), y: t.json<number>() }, outputs: { sum: t.json<number>() }, run: (_ctx, { x, y }) => { mark("c"); return { sum: x * y }; } });
export default pipeline({ name: "chain", build: () => {
  const first = a();
  const second = b({ v: first.v });
  c({ x: first.v, y: second.v });
} });
`;

let proj: Awaited<ReturnType<typeof tempProject>>;
let file: string;
let marks: string;
let client: Koan;
let env: NodeJS.ProcessEnv;

before(async () => {
  proj = await tempProject();
  file = await proj.write("pipelines/chain.ts", PIPELINE);
  marks = join(proj.dir, "marks");
  await proj.write("marks/.keep", "");
  env = { KOAN_TEST_MARKS: marks, KOAN_LEASE_TTL_MS: "2500", KOAN_LEASE_POLL_MS: "50" };
  client = await Koan.open({ dir: proj.dir, init: true });
});

after(async () => {
  await client?.close();
  await proj?.cleanup();
});

async function newRun(): Promise<RunRecord> {
  const loaded = await loadPipelineFile(file);
  return client.createRun(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, cache: false });
}

async function count(name: string): Promise<number> {
  return (await readdir(marks)).filter((f) => f.split(".")[0] === name).length;
}

async function clearMarks(): Promise<void> {
  for (const f of await readdir(marks)) if (f !== ".keep") await rm(join(marks, f));
}

const stepRun = (args: string[], extra: NodeJS.ProcessEnv = {}) => cli(["step-run", ...args], proj.dir, { ...env, ...extra });

test("a created run is not executed and belongs to no process; each step then runs in its own process", async () => {
  await clearMarks();
  const run = await newRun();
  assert.equal(run.status, "running");
  assert.equal(run.pid, 0);
  assert.equal((run.config as { pipelinePath?: string }).pipelinePath, "pipelines/chain.ts");
  assert.deepEqual(await client.metadata.listStepRuns(run.id), []);
  for (const s of ["a", "b", "c"]) {
    const r = await stepRun([run.id, s, "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout) as { status: string; already: boolean; outputs: Record<string, string> };
    assert.equal(out.status, "succeeded");
    assert.equal(out.already, false);
  }
  const steps = await client.metadata.listStepRuns(run.id);
  assert.deepEqual(steps.map((s) => `${s.step}:${s.status}`).sort(), ["a:succeeded", "b:succeeded", "c:succeeded"]);
  const sum = await client.load(`${run.id}/c/sum`);
  assert.equal(sum, 20 * 21);
  // c's inputs are exactly the artifacts a and b recorded in this run (lineage is complete).
  const details = await client.runDetails(run.id);
  const c = details.steps.find((s) => s.step === "c");
  assert.equal(c?.inputs.x, details.steps.find((s) => s.step === "a")?.outputs.v);
  assert.equal(c?.inputs.y, details.steps.find((s) => s.step === "b")?.outputs.v);
  // Delivered again: nothing runs, exit 0.
  const again = await stepRun([run.id.slice(0, 16), "b", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { already: boolean }).already, true);
  assert.equal(await count("b"), 1);
  assert.equal((await client.metadata.listStepRuns(run.id)).length, 3);
});

test("bad requests record nothing: unknown run or step, upstream steps not done", async () => {
  const run = await newRun();
  const noRun = await stepRun(["r-nosuchrun", "a"]);
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, /no run "r-nosuchrun"/);
  const noStep = await stepRun([run.id, "zz"]);
  assert.equal(noStep.code, 2);
  assert.match(noStep.stderr, /has no step "zz"/);
  assert.match(noStep.stderr, /a, b, c/);
  const early = await stepRun([run.id, "c"]);
  assert.equal(early.code, 2);
  assert.match(early.stderr, /needs output "v" of step "a", which has not succeeded/);
  assert.match(early.stderr, new RegExp(`koan step-run ${run.id} a`));
  assert.deepEqual(await client.metadata.listStepRuns(run.id), []);
});

test("the same step delivered to two executors at once is computed once", async () => {
  await clearMarks();
  const run = await newRun();
  assert.equal((await stepRun([run.id, "a"])).code, 0);
  const [x, y] = await Promise.all([stepRun([run.id, "b"], { KOAN_TEST_SLEEP: "800" }), stepRun([run.id, "b"], { KOAN_TEST_SLEEP: "800" })]);
  assert.equal(x.code, 0, x.stderr);
  assert.equal(y.code, 0, y.stderr);
  assert.equal(await count("b"), 1);
  const b = (await client.metadata.listStepRuns(run.id)).filter((s) => s.step === "b");
  assert.deepEqual(b.map((s) => s.status), ["succeeded"]);
});

test("a changed or missing pipeline file and another Koan version are refused, and the refusal is recorded", async () => {
  const run = await newRun();
  assert.equal((await stepRun([run.id, "a"])).code, 0);
  const original = PIPELINE;
  await writeFile(file, `${original}\n// edited after the run started\n`);
  try {
    const changed = await stepRun([run.id, "b"]);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /differs from the one run .* was started with/);
    const rec = (await client.metadata.listStepRuns(run.id)).find((s) => s.step === "b");
    assert.equal(rec?.status, "failed");
    assert.equal(rec?.error?.code, "PIPELINE_CHANGED");
  } finally {
    await writeFile(file, original);
  }

  const run2 = await newRun();
  await rm(file);
  try {
    const missing = await stepRun([run2.id, "a"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not on this machine/);
    assert.equal((await client.metadata.listStepRuns(run2.id))[0]?.error?.code, "PIPELINE_FILE_NOT_FOUND");
  } finally {
    await writeFile(file, original);
  }

  // A run recorded by another Koan version.
  const base = await newRun();
  const other: RunRecord = { ...base, id: `${base.id.slice(0, -4)}beef`, environment: { ...(base.environment as object), koan: "0.0.0-other" } };
  await client.metadata.createRun(other);
  const refused = await stepRun([other.id, "a"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /runs Koan .* but run .* was started with Koan 0\.0\.0-other/);
  assert.equal((await client.metadata.listStepRuns(other.id))[0]?.error?.code, "VERSION_MISMATCH");
  // The refusal is the step's outcome in that run: delivered again, it stays failed.
  const again = await stepRun([other.id, "a"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /has already ended failed/);
  assert.equal((await client.metadata.listStepRuns(other.id)).length, 1);
  const other2: RunRecord = { ...other, id: `${base.id.slice(0, -4)}f00d` };
  await client.metadata.createRun(other2);
  const allowed = await stepRun([other2.id, "a", "--allow-version-mismatch"]);
  assert.equal(allowed.code, 0, allowed.stderr);
});

test("a cancelled run stops the step it is running, which is recorded cancelled", async () => {
  await clearMarks();
  const run = await newRun();
  assert.equal((await stepRun([run.id, "a"])).code, 0);
  const child = spawnKoan(["step-run", run.id, "b"], proj.dir, { ...env, KOAN_TEST_SLEEP: "60000" });
  const done = finished(child);
  await waitFor(async () => (await count("b-sleeping")) === 1, 30_000, "b to start sleeping");
  await client.metadata.finishRun(run.id, "cancelled", new Date().toISOString(), { code: "RUN_CANCELLED", message: "cancelled by the test" });
  const r = await done;
  assert.equal(r.code, 1, r.stderr);
  const b = (await client.metadata.listStepRuns(run.id)).find((s) => s.step === "b");
  assert.equal(b?.status, "cancelled");
  // The run has ended: its steps no longer run.
  const late = await stepRun([run.id, "c"]);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /is cancelled/);
});

test("an executor killed mid-step is taken over by the next one: one step run, one artifact, the dead executor named", async () => {
  await clearMarks();
  const run = await newRun();
  assert.equal((await stepRun([run.id, "a"])).code, 0);
  const victim = spawnKoan(["step-run", run.id, "b"], proj.dir, { ...env, KOAN_TEST_SLEEP: "60000" });
  const gone = finished(victim);
  await waitFor(async () => (await count("b-sleeping")) === 1, 30_000, "b to start sleeping");
  victim.kill("SIGKILL");
  await gone;
  const next = await stepRun([run.id, "b"]);
  assert.equal(next.code, 0, next.stderr);
  const b = (await client.metadata.listStepRuns(run.id)).filter((s) => s.step === "b");
  assert.deepEqual(b.map((s) => s.status), ["succeeded"]);
  const takenOver = (b[0]?.meta as { takenOver?: { stepRunId: string; status: string }[] }).takenOver;
  assert.equal(takenOver?.length, 1);
  assert.equal(takenOver?.[0]?.status, "running");
  assert.notEqual(takenOver?.[0]?.stepRunId, b[0]?.id);
  assert.equal(await count("b"), 2);
  const outputs = (await client.metadata.eventsOfStepRuns(b.map((s) => s.id))).filter((e) => e.kind === "output");
  assert.equal(outputs.length, 1);
  assert.equal((await client.verify()).problems.length, 0);
  assert.equal((await stepRun([run.id, "c"])).code, 0);
  assert.equal(await client.load(`${run.id}/c/sum`), 20 * 21);
});
