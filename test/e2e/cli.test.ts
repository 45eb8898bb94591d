/** End-to-end tests of the `koan` command on temp projects. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { finished, koan, spawnKoan, tempProject, waitFor } from "../helpers.js";

const PIPELINE = `
import { step, pipeline, types as t } from "koan";
import { z } from "zod";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const source = step({
  name: "source",
  params: z.object({ n: z.number().int().default(4) }),
  outputs: { xs: t.json<number[]>() },
  run: (ctx, _i, { n }) => { console.log("making", n); return { xs: Array.from({ length: n }, (_, i) => i + ctx.rng.int(0, 0)) }; },
});
const square = step({
  name: "square",
  inputs: { xs: t.json<number[]>() },
  outputs: { ys: t.json<number[]>(), notes: t.file() },
  params: z.object({ sleepMs: z.number().default(0), fail: z.boolean().default(false), marker: z.string().default("") }),
  run: async (ctx, { xs }, { sleepMs, fail, marker }) => {
    if (marker) writeFileSync(marker, String(process.pid));
    if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
    if (fail) throw new RangeError("square refused");
    const notes = join(ctx.scratchDir, "notes.txt");
    writeFileSync(notes, "squared " + xs.length);
    return { ys: xs.map((x) => x * x), notes };
  },
});
const total = step({ name: "total", inputs: { ys: t.json<number[]>() }, outputs: { sum: t.json<number>() }, run: (ctx, { ys }) => { ctx.log.metric("sum", ys.reduce((a, b) => a + b, 0)); return { sum: ys.reduce((a, b) => a + b, 0) }; } });
export default pipeline({ name: "squares", build: () => { const { xs } = source(); const { ys } = square({ xs }); total({ ys }); } });
`;

const json = <T>(text: string): T => JSON.parse(text) as T;
interface RunJson {
  runId: string;
  status: string;
  steps: { step: string; status: string; cacheHit: boolean }[];
  outputs: Record<string, Record<string, string>>;
  error?: { code: string; message: string };
}

test("run, runs, runs show, artifacts, lineage and gc work end to end", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    const first = await koan(["run", "pipeline.ts"], p.dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /initialised a Koan project/);
    assert.match(first.stderr, /\[square\] succeeded/);
    assert.ok(existsSync(join(p.dir, ".koan", "config.yaml")));

    const second = await koan(["run", "pipeline.ts", "--json"], p.dir);
    assert.equal(second.code, 0);
    const r2 = json<RunJson>(second.stdout);
    assert.deepEqual(r2.steps.map((s) => s.cacheHit), [true, true, true]);

    const third = json<RunJson>((await koan(["run", "pipeline.ts", "--json", "--param", "source.n=5"], p.dir)).stdout);
    assert.deepEqual(third.steps.map((s) => [s.step, s.cacheHit]), [["source", false], ["square", false], ["total", false]]);

    const runs = json<{ id: string; status: string; pipeline: string }[]>((await koan(["runs", "--json"], p.dir)).stdout);
    assert.equal(runs.length, 3);
    assert.equal(runs[0]?.id, third.runId, "newest first");
    const table = await koan(["runs", "--pipeline", "squares"], p.dir);
    assert.match(table.stdout, /ID\s+PIPELINE\s+STATUS/);

    const show = await koan(["runs", "show", third.runId.slice(0, 14), "--logs"], p.dir);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /making 5/);
    assert.match(show.stdout, /total\s+sum\s+30/);
    const showJson = json<{ run: { config: { params: { source: { n: number } } } } }>((await koan(["runs", "show", third.runId, "--json"], p.dir)).stdout);
    assert.equal(showJson.run.config.params.source.n, 5, "the resolved configuration is stored");

    const sumRef = `${third.runId}/total/sum`;
    assert.equal((await koan(["artifacts", "cat", sumRef], p.dir)).stdout.trim(), "30");
    const shown = json<{ id: string; type: string; producer: { step: string } }>((await koan(["artifacts", "show", sumRef, "--json"], p.dir)).stdout);
    assert.equal(shown.type, "json");
    assert.equal(shown.producer.step, "total");
    const notes = await koan(["artifacts", "cat", `${third.runId}/square/notes`], p.dir);
    assert.equal(notes.stdout, "squared 5");
    const exported = await koan(["artifacts", "export", `${third.runId}/square/notes`, "out"], p.dir);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(await readFile(join(p.dir, "out", "notes.txt"), "utf8"), "squared 5");
    assert.equal((await koan(["artifacts", "export", sumRef, "out"], p.dir)).code, 2, "a non-empty destination is refused");
    const listed = json<unknown[]>((await koan(["artifacts", "list", "--json", "-n", "100"], p.dir)).stdout);
    assert.equal(listed.length, 8, "4 outputs in each of the two computed runs");

    const up = json<{ nodes: { kind: string; step?: string }[]; edges: unknown[] }>((await koan(["lineage", sumRef, "--json"], p.dir)).stdout);
    assert.deepEqual(up.nodes.filter((n) => n.kind === "step").map((n) => n.step).sort(), ["source", "square", "total"]);
    assert.equal(up.edges.length, 5);
    const tree = await koan(["lineage", sumRef], p.dir);
    assert.match(tree.stdout, /└─ ← sum total step run/);
    assert.match(tree.stdout, /source step run/);
    const down = json<{ nodes: { kind: string; step?: string }[] }>((await koan(["lineage", `${third.runId}/source/xs`, "--down", "--json"], p.dir)).stdout);
    assert.deepEqual(down.nodes.filter((n) => n.kind === "step").map((n) => n.step).sort(), ["square", "total"]);

    assert.equal((await koan(["artifacts", "verify"], p.dir)).code, 0);

    const dry = json<{ runs: string[] }>((await koan(["gc", "--run", third.runId, "--dry-run", "--json"], p.dir)).stdout);
    assert.deepEqual(dry.runs, [third.runId]);
    const gc = json<{ runs: string[]; artifacts: string[]; blobs: string[] }>((await koan(["gc", "--run", third.runId, "--json"], p.dir)).stdout);
    assert.equal(gc.artifacts.length, 4);
    assert.ok(gc.blobs.length >= 4);
    assert.equal(json<unknown[]>((await koan(["runs", "--json"], p.dir)).stdout).length, 2);
    assert.equal((await koan(["artifacts", "verify"], p.dir)).code, 0, "no artifact left pointing at a deleted blob");
    const again = json<RunJson>((await koan(["run", "pipeline.ts", "--json"], p.dir)).stdout);
    assert.deepEqual(again.steps.map((s) => s.cacheHit), [true, true, true], "the runs that were kept still serve the cache");
    const gcAll = await koan(["gc", "--before", "2999-01-01", "--json"], p.dir);
    assert.equal(json<{ runs: string[] }>(gcAll.stdout).runs.length, 3);
    assert.equal(json<unknown[]>((await koan(["artifacts", "list", "--json"], p.dir)).stdout).length, 0);
  } finally {
    await p.cleanup();
  }
});

test("a failing step exits 1 naming pipeline, step and run, with the user's stack", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    const r = await koan(["run", "pipeline.ts", "-p", "square.fail=true"], p.dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error step "square" of pipeline "squares" failed \(run r-[^)]+\): square refused/);
    assert.match(r.stderr, /RangeError: square refused\n\s+at /);
    assert.match(r.stderr, /hint\s+see the step's logs with: koan runs show r-/);
    const j = json<RunJson>((await koan(["run", "pipeline.ts", "-p", "square.fail=true", "--json"], p.dir)).stdout);
    assert.equal(j.status, "failed");
    assert.equal(j.error?.code, "STEP_FAILED");
    assert.deepEqual(j.steps.map((s) => s.status), ["succeeded", "failed", "skipped"]);
  } finally {
    await p.cleanup();
  }
});

test("bad input is a usage error (exit 2) with a specific message, and leaves no run behind", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    await p.write("broken.ts", "import { pipeline } from 'koan';\nexport default pipeline({ name: 'x', build: () => { const a: number = ; } });\n");
    await p.write("noexport.ts", "import { pipeline, step } from 'koan';\nexport const p = pipeline({ name: 'x', build: () => { step({ name: 'a', run: () => ({}) })(); } });\n");
    await p.write("bad-config.yaml", "params:\n  source:\n    n: 3\nepochs: 4\n");
    await p.write("good-config.yaml", "params:\n  source:\n    n: 2\nseed: 5\n");
    const cases: [string[], RegExp][] = [
      [["run", "missing.ts"], /pipeline file .*missing\.ts does not exist/],
      [["run", "broken.ts"], /cannot load pipeline file .*broken\.ts/],
      [["run", "noexport.ts"], /does not default-export a pipeline[\s\S]*hint\s+it exports p; add: export default p;/],
      [["run", "pipeline.ts", "--param", "source.m=3"], /step "source" has no parameter "m"/],
      [["run", "pipeline.ts", "--param", "nosuch.n=3"], /pipeline "squares" has no step "nosuch"/],
      [["run", "pipeline.ts", "--param", "source.n=lots"], /parameter source\.n: .*expected number/],
      [["run", "pipeline.ts", "--param", "source"], /--param "source" is not of the form step\.name=value/],
      [["run", "pipeline.ts", "--config", "bad-config.yaml"], /bad-config\.yaml: .*epochs/],
      [["run", "pipeline.ts", "--seed", "x"], /--seed must be an integer/],
      [["run"], /missing required argument 'file'/],
      [["runs", "show", "r-nope"], /no run "r-nope"/],
      [["lineage", "a-nope"], /no artifact "a-nope"/],
      [["frobnicate"], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await koan(args, p.dir);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
    }
    assert.equal(json<unknown[]>((await koan(["runs", "--json"], p.dir)).stdout).length, 0, "no partial runs");
    const good = json<RunJson & { steps: unknown[] }>((await koan(["run", "pipeline.ts", "--config", "good-config.yaml", "--json"], p.dir)).stdout);
    const shown = json<{ run: { config: { seed: number; params: { source: { n: number } } } } }>((await koan(["runs", "show", good.runId, "--json"], p.dir)).stdout);
    assert.equal(shown.run.config.seed, 5);
    assert.equal(shown.run.config.params.source.n, 2);
    const help = await koan(["run", "--help"], p.dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--param <step\.name=value>/);
    const bad = await koan(["run", "pipeline.ts", "--json", "--param", "source.m=1"], p.dir);
    assert.equal(json<{ error: { code: string } }>(bad.stdout).error.code, "PARAM_UNKNOWN", "--json errors are JSON on stdout");
  } finally {
    await p.cleanup();
  }
});

test("SIGKILL in the middle of a step: no partial artifact, the run becomes interrupted, the next run reuses finished steps", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    const marker = join(p.dir, "square-started");
    const child = spawnKoan(["run", "pipeline.ts", "-p", "square.sleepMs=60000", "-p", `square.marker=${marker}`, "-p", "source.n=6"], p.dir);
    const done = finished(child);
    await waitFor(() => existsSync(marker), 30_000, "the square step to start");
    child.kill("SIGKILL");
    await done;
    const runs = json<{ id: string; status: string }[]>((await koan(["runs", "--json"], p.dir)).stdout);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.status, "interrupted");
    const shown = json<{ steps: { step: string; status: string; outputs: Record<string, string> }[] }>((await koan(["runs", "show", runs[0]!.id, "--json"], p.dir)).stdout);
    assert.deepEqual(shown.steps.map((s) => [s.step, s.status]), [["source", "succeeded"], ["square", "interrupted"]]);
    assert.deepEqual(shown.steps[1]?.outputs, {}, "the killed step has no output");
    assert.equal(json<unknown[]>((await koan(["artifacts", "list", "--json"], p.dir)).stdout).length, 1, "only the finished step's artifact is visible");
    assert.equal((await koan(["artifacts", "verify"], p.dir)).code, 0);
    const next = json<RunJson>((await koan(["run", "pipeline.ts", "-p", "source.n=6", "--json"], p.dir)).stdout);
    assert.equal(next.status, "succeeded");
    assert.deepEqual(next.steps.map((s) => [s.step, s.cacheHit]), [["source", true], ["square", false], ["total", false]]);
    const tmp = await readdir(join(p.dir, ".koan", "artifacts", "tmp"));
    assert.ok(tmp.every((f) => f.endsWith(".part")), "only temp parts, never under a final name");
  } finally {
    await p.cleanup();
  }
});

test("Ctrl-C cancels the run: running steps are marked cancelled and the exit code is 130", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    const marker = join(p.dir, "started");
    const child = spawnKoan(["run", "pipeline.ts", "-p", "square.sleepMs=60000", "-p", `square.marker=${marker}`], p.dir);
    const done = finished(child);
    await waitFor(() => existsSync(marker), 30_000, "the square step to start");
    child.kill("SIGINT");
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /cancelling/);
    const runs = json<{ id: string; status: string }[]>((await koan(["runs", "--json"], p.dir)).stdout);
    assert.equal(runs[0]?.status, "cancelled");
    const shown = json<{ steps: { step: string; status: string }[] }>((await koan(["runs", "show", runs[0]!.id, "--json"], p.dir)).stdout);
    assert.deepEqual(shown.steps.map((s) => [s.step, s.status]), [["source", "succeeded"], ["square", "cancelled"]]);
  } finally {
    await p.cleanup();
  }
});

test("koan init creates the embedded stack once, and --help works everywhere", async () => {
  const p = await tempProject();
  try {
    const init = await koan(["init", "--json"], p.dir);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(json<{ created: boolean }>(init.stdout).created, true);
    assert.equal(json<{ created: boolean }>((await koan(["init", "--json"], p.dir)).stdout).created, false);
    const config = await readFile(join(p.dir, ".koan", "config.yaml"), "utf8");
    assert.match(config, /flavor: sqlite/);
    for (const args of [["--help"], ["runs", "--help"], ["runs", "show", "--help"], ["artifacts", "export", "--help"], ["lineage", "--help"], ["gc", "--help"]]) {
      const r = await koan(args, p.dir);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /Usage: koan/);
    }
  } finally {
    await p.cleanup();
  }
});
