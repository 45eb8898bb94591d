/**
 * Core benchmarks (issue: Koan core): per-step framework overhead, and the wall-time ratio of a fully cached
 * re-run of examples/quickstart to its first run.
 */
import { rm } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Koan, pipeline, step, types as t, type Pipeline } from "../src/index.js";
import { loadPipelineFile } from "../src/loader/pipeline-file.js";
import { figure, median, time } from "./util.js";

const pass = step({ name: "pass", inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: (_c, { v }) => ({ v: v + 1 }) });
const start = step({ name: "start", outputs: { v: t.json<number>() }, run: () => ({ v: 0 }) });

function chain(n: number): Pipeline {
  return pipeline({
    name: `chain${n}`,
    concurrency: 1,
    build: () => {
      let { v } = start();
      for (let i = 1; i < n; i++) v = pass({ v }, { name: `pass_${i}` }).v;
    },
  });
}

async function fresh(): Promise<{ koan: Koan; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-"));
  const koan = await Koan.open({ dir, init: true });
  return { koan, done: async () => { await koan.close(); await rm(dir, { recursive: true, force: true }); } };
}

export async function run(): Promise<void> {
  process.stdout.write("core: per-step overhead (in-process, SQLite + local store, cache off; median of 7)\n");
  const { koan, done } = await fresh();
  try {
    const one = chain(1);
    const fifty = chain(50);
    for (let i = 0; i < 2; i++) {
      await koan.run(one, { cache: false });
      await koan.run(fifty, { cache: false });
    }
    const t1: number[] = [];
    const t50: number[] = [];
    const c50: number[] = [];
    for (let i = 0; i < 7; i++) {
      t1.push(await time(() => koan.run(one, { cache: false })));
      t50.push(await time(() => koan.run(fifty, { cache: false })));
      c50.push(await time(() => koan.run(fifty)));
    }
    const per = (median(t50) - median(t1)) / 49;
    figure("pipeline of 1 step", median(t1), "ms");
    figure("pipeline of 50 steps", median(t50), "ms");
    figure("framework overhead per step ((50 - 1) / 49)", per, "ms", `target < 5 ms: ${per < 5 ? "met" : "NOT met"}`);
    figure("overhead per step, all cache hits", (median(c50) - median(t1)) / 49, "ms");
  } finally {
    await done();
  }

  process.stdout.write("core: examples/quickstart, first run vs fully cached re-run (in-process, fresh store each time; median of 5)\n");
  const file = fileURLToPath(new URL("../../examples/quickstart/pipeline.ts", import.meta.url));
  const loaded = await loadPipelineFile(file);
  const firsts: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { koan: k, done: d } = await fresh();
    try {
      const opts = { pipelineFile: loaded.file, sourceHash: loaded.sourceHash };
      firsts.push(await time(() => k.run(loaded.pipeline, opts)));
      cached.push(await time(() => k.run(loaded.pipeline, opts)));
    } finally {
      await d();
    }
  }
  const ratio = median(cached) / median(firsts);
  figure("first run", median(firsts), "ms");
  figure("fully cached re-run", median(cached), "ms");
  figure("ratio cached / first", ratio, "x", `target < 0.05: ${ratio < 0.05 ? "met" : "NOT met"}`);
}
