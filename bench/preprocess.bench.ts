/**
 * Split + analyze + transform of a generated 1,000,000-row, 13-column CSV (floats, ints, short strings),
 * ingested once with fileSource. Figures: rows/s of `ratio_split` and `preprocess` (zero-config: z-scores and
 * vocabularies, label encoding), peak RSS, and the ratio against a plain loop that only reads the same dataset.
 * Each measurement runs in its own child process so peak RSS belongs to it alone.
 * KOAN_BENCH_ROWS overrides the row count.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Koan, pipeline, fileSource, ratioSplit, preprocess, type Dataset } from "../src/index.js";
import { figure } from "./util.js";

const ROWS = Number(process.env.KOAN_BENCH_ROWS ?? 1_000_000);
const SELF = fileURLToPath(import.meta.url);

/** Write the CSV: id, day, f1..f5 (floats), i1..i3 (ints), s1, s2 (short strings), label (3 classes). */
async function generateCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  await write("id,day,f1,f2,f3,f4,f5,i1,i2,i3,s1,s2,label\n");
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const colors = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"];
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2015, 0, 1) + (i % 3650) * 86_400_000).toISOString().slice(0, 10);
    const f = [rand() * 100, rand() * 2 - 1, rand() * 1e4, rand() * 0.01, rand() * 50 + 25].map((x) => x.toFixed(4));
    const n = [Math.floor(rand() * 1000), Math.floor(rand() * 20), Math.floor(rand() * 1e6)];
    const s1 = colors[Math.floor(rand() * colors.length)];
    const s2 = `k${Math.floor(rand() * 200)}`;
    const label = ["a", "b", "c"][Math.floor(rand() * 3)];
    chunk += `${i},${day},${f.join(",")},${n.join(",")},${s1},${s2},${label}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

const build = (path: string) => () => {
  const { dataset } = fileSource(undefined, { params: { path, shards: 4 } });
  const { dataset: splits } = ratioSplit({ dataset }, { params: { ratios: { train: 0.8, eval: 0.1, test: 0.1 }, key: "id", seed: 1, shards: 4 } });
  preprocess({ dataset: splits }, { params: { label: "label", exclude: ["id", "day"] } });
};

type Child = { ms: number; rss: number; rows: number; steps?: Record<string, number> };

/** Child-process side: one measurement, printed as JSON. */
async function child(mode: string, dir: string, csv: string): Promise<void> {
  const koan = await Koan.open({ dir });
  try {
    const p = pipeline({ name: "bench_preprocess", build: build(csv) });
    if (mode === "read") {
      const r = await koan.run(pipeline({ name: "bench_ingest", build: () => void fileSource(undefined, { params: { path: csv, shards: 4 } }) }));
      const ds = (await koan.load(r.outputs.file_source!.dataset!)) as Dataset;
      const t = performance.now();
      let n = 0;
      for await (const ex of ds.examples("all")) n += ex.size > 0 ? 1 : 0;
      const ms = performance.now() - t;
      process.stdout.write(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, rows: n } satisfies Child));
      return;
    }
    const t = performance.now();
    const r = await koan.run(p, { params: {} });
    const ms = performance.now() - t;
    if (r.status !== "succeeded") throw r.error ?? new Error("run failed");
    const steps = Object.fromEntries(r.steps.filter((s) => !s.cacheHit).map((s) => [s.step, s.durationMs ?? 0]));
    process.stdout.write(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, rows: ROWS, steps } satisfies Child));
  } finally {
    await koan.close();
  }
}

function spawnChild(mode: string, dir: string, csv: string): Child {
  const res = spawnSync(process.execPath, [SELF, mode, dir, csv], { encoding: "utf8", env: { ...process.env, KOAN_BENCH_ROWS: String(ROWS) }, maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`bench child ${mode} failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as Child;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-preprocess-"));
  try {
    const csv = join(dir, "bench.csv");
    await generateCsv(csv, ROWS);
    const size = (await stat(csv)).size;
    const koan = await Koan.open({ dir, init: true });
    const t = performance.now();
    const ingest = await koan.run(pipeline({ name: "bench_ingest", build: () => void fileSource(undefined, { params: { path: csv, shards: 4 } }) }));
    const ingestMs = performance.now() - t;
    await koan.close();
    if (ingest.status !== "succeeded") throw ingest.error ?? new Error("ingest failed");
    process.stdout.write(`  ${ROWS} rows × 13 columns, CSV ${(size / 1e6).toFixed(0)} MB, ingested once in ${(ingestMs / 1000).toFixed(1)} s\n`);

    const read = spawnChild("read", dir, csv);
    const work = spawnChild("work", dir, csv);
    const split = work.steps?.ratio_split ?? 0;
    const prep = work.steps?.preprocess ?? 0;
    figure("baseline: plain loop reading the dataset (rows/s)", read.rows / (read.ms / 1000), "rows/s", `${(read.ms / 1000).toFixed(1)} s`);
    figure("ratio_split (read + hash + write, rows/s)", ROWS / (split / 1000), "rows/s", `${(split / 1000).toFixed(1)} s`);
    figure("preprocess (analyze train + transform all, rows/s)", ROWS / (prep / 1000), "rows/s", `${(prep / 1000).toFixed(1)} s`);
    figure("split + analyze + transform, whole run (rows/s)", ROWS / (work.ms / 1000), "rows/s", `${(work.ms / 1000).toFixed(1)} s`);
    figure("ratio: split+preprocess time / read time", (split + prep) / read.ms, "×", "cost of the steps over the cost of I/O");
    figure("peak RSS, split + preprocess run", work.rss / 2 ** 20, "MiB");
    figure("peak RSS, plain read loop", read.rss / 2 ** 20, "MiB");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF && process.argv.length === 5) {
  const [mode, dir, csv] = process.argv.slice(2) as [string, string, string];
  await child(mode, dir, csv);
}
