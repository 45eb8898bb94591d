import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, writeFile } from "node:fs/promises";
import { z } from "zod";
import { Koan, pipeline, step, types as t, StepFailedError, KoanError } from "../../src/index.js";
import { tempDir } from "../helpers.js";

async function project() {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}

const ok = step({ name: "ok", outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });

test("a throwing step fails the run with pipeline, step, run id and the user's stack", async () => {
  const { koan, cleanup } = await project();
  try {
    function userHelperThatThrows(): never {
      throw new TypeError("bad row 17");
    }
    const boom = step({ name: "boom", inputs: { v: t.json<number>() }, outputs: { w: t.json<number>() }, run: () => userHelperThatThrows() });
    const after = step({ name: "after", inputs: { w: t.json<number>() }, run: () => ({}) });
    const independent = step({ name: "independent", outputs: { z: t.json<number>() }, run: () => ({ z: 2 }) });
    const r = await koan.run(pipeline({ name: "failing", concurrency: 1, build: () => { const { v } = ok(); const { w } = boom({ v }); after({ w }); independent(); } }));
    assert.equal(r.status, "failed");
    assert.ok(r.error instanceof StepFailedError);
    assert.equal(r.error.step, "boom");
    assert.equal(r.error.pipeline, "failing");
    assert.equal(r.error.runId, r.runId);
    assert.match(r.error.message, new RegExp(`step "boom" of pipeline "failing" failed \\(run ${r.runId}\\): bad row 17`));
    assert.ok(r.error.cause instanceof TypeError);
    const byStep = Object.fromEntries(r.steps.map((s) => [s.step, s]));
    assert.equal(byStep.boom?.status, "failed");
    assert.match(byStep.boom?.error?.stack ?? "", /userHelperThatThrows/);
    assert.equal(byStep.after?.status, "skipped");
    assert.equal(byStep.independent?.status, "succeeded", "independent branches carry on");
    const run = await koan.getRun(r.runId);
    assert.equal(run.status, "failed");
    assert.equal(run.error?.code, "STEP_FAILED");
    assert.equal(r.outputs.boom, undefined, "a failed step records no artifact");
  } finally {
    await cleanup();
  }
});

test("outputs that do not match their declared types fail the step with OUTPUT_INVALID", async () => {
  const { koan, cleanup } = await project();
  try {
    const cases: [string, () => unknown, RegExp][] = [
      ["missing", () => ({}), /no value for its output "v"/],
      ["undeclared", () => ({ v: 1, extra: 2 }), /undeclared output "extra"/],
      ["not-object", () => 5, /number instead of an object/],
      ["schema", () => ({ v: "one" }), /output "v" \(json\).*expected number/],
      ["nan", () => ({ v: NaN }), /not JSON-serialisable/],
    ];
    for (const [name, run, why] of cases) {
      const bad = step({ name: `bad_${name.replace("-", "_")}`, outputs: { v: t.json(z.number()) }, run: run as never });
      const r = await koan.run(pipeline({ name: `out-${name}`, build: () => { bad(); } }));
      assert.equal(r.status, "failed", name);
      assert.equal(r.error?.code, "OUTPUT_INVALID", name);
      assert.match(r.error?.message ?? "", why, name);
    }
    const file = step({ name: "badfile", outputs: { f: t.file() }, run: () => ({ f: "/definitely/not/here.txt" }) });
    const r = await koan.run(pipeline({ name: "out-file", build: () => { file(); } }));
    assert.match(r.error?.message ?? "", /not an existing file/);
  } finally {
    await cleanup();
  }
});

test("retries re-run a failing step with backoff until it succeeds", async () => {
  const { koan, cleanup } = await project();
  try {
    let n = 0;
    const flaky = step({ name: "flaky", retries: 2, retryDelayMs: 5, outputs: { v: t.json<number>() }, run: () => { n++; if (n < 3) throw new Error(`flake ${n}`); return { v: n }; } });
    const r = await koan.run(pipeline({ name: "retry", build: () => { flaky(); } }));
    assert.equal(r.status, "succeeded");
    assert.equal(r.steps[0]?.attempts, 3);
    assert.match(await koan.stepLog(r.steps[0]!), /attempt 1 failed: flake 1/);
    n = -10;
    const r2 = await koan.run(pipeline({ name: "retry2", build: () => { flaky(undefined, { name: "flaky2" }); } }));
    assert.equal(r2.status, "failed");
    assert.equal(r2.steps[0]?.attempts, 3);
  } finally {
    await cleanup();
  }
});

test("a step over its timeout fails with STEP_TIMEOUT and its signal is aborted", async () => {
  const { koan, cleanup } = await project();
  try {
    let aborted = false;
    const slow = step({
      name: "slow",
      timeoutMs: 50,
      run: (ctx) => new Promise<Record<string, never>>((resolve) => { ctx.signal.addEventListener("abort", () => { aborted = true; resolve({}); }); }),
    });
    const r = await koan.run(pipeline({ name: "timeout", build: () => { slow(); } }));
    assert.equal(r.status, "failed");
    assert.equal(r.error?.code, "STEP_TIMEOUT");
    assert.ok(aborted);
  } finally {
    await cleanup();
  }
});

test("cancelling a run marks running steps cancelled and skips the rest", async () => {
  const { koan, cleanup } = await project();
  try {
    const controller = new AbortController();
    const wait = step({ name: "wait", outputs: { v: t.json<number>() }, run: () => new Promise<{ v: number }>(() => { setTimeout(() => controller.abort(), 20); }) });
    const next = step({ name: "next", inputs: { v: t.json<number>() }, run: () => ({}) });
    const r = await koan.run(pipeline({ name: "cancel", build: () => { const { v } = wait(); next({ v }); } }), { signal: controller.signal });
    assert.equal(r.status, "cancelled");
    assert.equal(r.steps.find((s) => s.step === "wait")?.status, "cancelled");
    assert.equal((await koan.getRun(r.runId)).status, "cancelled");
  } finally {
    await cleanup();
  }
});

test("bad parameters fail before anything is recorded", async () => {
  const { koan, cleanup } = await project();
  try {
    const withParams = step({ name: "wp", params: z.object({ n: z.number() }), run: () => ({}) });
    const q = pipeline({ name: "badparams", build: () => { withParams(undefined, { params: { n: 1 } }); } });
    await assert.rejects(koan.run(q, { params: { wp: { n: "x" } } }), (e) => e instanceof KoanError && e.code === "PARAM_INVALID");
    assert.equal((await koan.runs()).length, 0);
  } finally {
    await cleanup();
  }
});

test("a corrupted artifact is detected when read, and by verify", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(pipeline({ name: "corrupt", build: () => { ok(); } }));
    const art = r.outputs.ok?.v;
    assert.ok(art);
    const path = koan.artifacts.localPath?.(art.contentHash) as string;
    await chmod(path, 0o644);
    await writeFile(path, "2");
    await assert.rejects(koan.load(art), (e) => e instanceof KoanError && e.code === "ARTIFACT_CORRUPT" && e.message.includes(art.contentHash));
    const v = await koan.verify();
    assert.deepEqual(v.problems, [{ artifact: art.id, blob: art.contentHash, status: "corrupt" }]);
  } finally {
    await cleanup();
  }
});

test("console output and ctx.log from concurrent steps land in their own logs; metrics are stored", async () => {
  const { koan, cleanup } = await project();
  try {
    const talk = (name: string) =>
      step({
        name,
        run: async (ctx) => {
          for (let i = 0; i < 3; i++) {
            console.log(`${name} says ${i}`);
            ctx.log.metric("i", i * 10, i);
            await new Promise((r) => setTimeout(r, 5));
          }
          ctx.log.warn(`${name} done`);
          return {};
        },
      });
    const a = talk("alpha");
    const b = talk("beta");
    const r = await koan.run(pipeline({ name: "logs", concurrency: 2, build: () => { a(); b(); } }));
    const logs = Object.fromEntries(await Promise.all(r.steps.map(async (s) => [s.step, await koan.stepLog(s)] as const)));
    assert.match(logs.alpha ?? "", /INFO  alpha says 2/);
    assert.doesNotMatch(logs.alpha ?? "", /beta/);
    assert.match(logs.beta ?? "", /WARN  beta done/);
    const metrics = await koan.metadata.metricsOfRun(r.runId);
    assert.deepEqual(metrics.filter((m) => m.stepName === "alpha").map((m) => [m.value, m.step]), [[0, 0], [10, 1], [20, 2]]);
  } finally {
    await cleanup();
  }
});

test("independent branches run concurrently, bounded by concurrency", async () => {
  const { koan, cleanup } = await project();
  try {
    let active = 0;
    let peak = 0;
    const busy = (name: string) => step({ name, run: async () => { active++; peak = Math.max(peak, active); await new Promise((r) => setTimeout(r, 40)); active--; return {}; } });
    const steps = ["a", "b", "c", "d", "e"].map(busy);
    await koan.run(pipeline({ name: "conc", concurrency: 3, build: () => steps.forEach((s) => s()) }));
    assert.equal(peak, 3);
    peak = 0;
    await koan.run(pipeline({ name: "conc", concurrency: 3, build: () => steps.forEach((s) => s()) }), { concurrency: 1, cache: false });
    assert.equal(peak, 1);
  } finally {
    await cleanup();
  }
});
