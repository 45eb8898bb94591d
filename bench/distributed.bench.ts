/**
 * Distributed benchmarks (issue 8), on this machine with a real `redis-server` and `koan worker` processes
 * (one task each) sharing a local artifact folder and an SQLite metadata store:
 *
 * - 8 independent 1-second CPU-bound steps on 2 workers: the run's wall time against the sum of its step times;
 * - task dispatch latency of a chain of no-op steps on idle workers: enqueue → a worker takes the task, and
 *   enqueue → the step's code starts (median and p99);
 * - the sharded `statistics` step over the 1M-row benchmark dataset (bench/data.bench.ts's CSV, 8 shards) on 1
 *   and on 2 workers (the speed-up), and in the local orchestrator with 1 and 2 shard threads.
 *
 * Skipped (with the reason) when `redis-server` is not installed. Wall times are noisy on a shared machine: the
 * load average is printed beside them.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Koan } from "../src/client/client.js";
import { Dataset } from "../src/data/dataset/dataset.js";
import { loadPipelineFile } from "../src/loader/pipeline-file.js";
import { openQueue } from "../src/orchestrators/queue/queue.js";
import { queueConfigSchema } from "../src/orchestrators/queue/config.js";
import type { StepTask } from "../src/orchestrators/queue/tasks.js";
import type { RunRecord } from "../src/stores/metadata/types.js";
import { writeBenchCsv } from "./data.bench.js";
import { figure, median } from "./util.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "bin", "koan.js");
const ROWS = Number(process.env.KOAN_BENCH_ROWS ?? 1_000_000);

const CPU = `import { pipeline, step, types as t } from "koan";
const burn = (name: string) => step({ name, cache: false, outputs: { n: t.json<number>() }, run: () => {
  const end = Date.now() + 1000;
  let n = 0;
  while (Date.now() < end) for (let i = 0; i < 10000; i++) n += Math.sqrt(i);
  return { n };
} });
export default pipeline({ name: "cpu8", build: () => { for (let i = 0; i < 8; i++) burn("burn" + i)(undefined, { name: "burn" + i }); } });
`;

const CHAIN = (n: number): string => `import { pipeline, step, types as t } from "koan";
const first = step({ name: "first", cache: false, outputs: { at: t.json<number>() }, run: () => ({ at: Date.now() }) });
const next = step({ name: "next", cache: false, inputs: { prev: t.json<number>() }, outputs: { at: t.json<number>() }, run: () => ({ at: Date.now() }) });
export default pipeline({ name: "chain", build: () => {
  let { at } = first();
  for (let i = 1; i < ${n}; i++) at = next({ prev: at }, { name: "s" + i }).at;
} });
`;

const STATS = `import { pipeline, step, types as t, statistics, Dataset } from "koan";
import { z } from "zod";
const source = step({ name: "source", params: z.object({ folder: z.string() }), outputs: { dataset: t.dataset() }, run: async (_c, _i, p) => ({ dataset: await Dataset.open(p.folder) }) });
export default pipeline({ name: "stats", build: () => { const { dataset } = source(); statistics({ dataset }); } });
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function koanCli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", (code) => resolve({ code, out }));
  });
}

async function startWorker(dir: string): Promise<ChildProcess> {
  const p = spawn(process.execPath, [BIN, "worker"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  p.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 120_000;
  while (!/ready: stack/.test(out)) {
    if (p.exitCode !== null || Date.now() > end) throw new Error(`koan worker did not start: ${out}`);
    await sleep(50);
  }
  // Let its task process finish warming up (Koan loaded, TypeScript loader ready).
  await sleep(5_000);
  return p;
}

async function stopWorker(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const gone = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 20_000);
  await gone;
  clearTimeout(t);
}

async function ended(koan: Koan, id: string): Promise<RunRecord> {
  for (;;) {
    const r = await koan.metadata.getRun(id);
    if (r && r.status !== "running") return r;
    await sleep(50);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

const load = (): string => `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;

export async function run(): Promise<void> {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    process.stdout.write("  (skipped: redis-server is not installed; apt-get install redis-server)\n");
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-dist-"));
  const port = await freePort();
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const workers: ChildProcess[] = [];
  let koan: Koan | undefined;
  try {
    await mkdir(join(dir, "node_modules"), { recursive: true });
    await symlink(REPO, join(dir, "node_modules", "koan"), "dir");
    await symlink(join(REPO, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
    await writeFile(join(dir, "cpu8.ts"), CPU);
    const chainLength = 40;
    await writeFile(join(dir, "chain.ts"), CHAIN(chainLength));
    await writeFile(join(dir, "stats.ts"), STATS);
    const init = await koanCli(["init"], dir);
    if (init.code !== 0) throw new Error(init.out);
    const orchestrator = `queue?url=redis://127.0.0.1:${port}`;
    const reg = await koanCli(["stack", "register", "q", "--artifact-store", join(dir, "shared", "artifacts"), "--metadata-store", join(dir, "shared", "meta.db"), "--orchestrator", orchestrator, "--use"], dir);
    if (reg.code !== 0) throw new Error(reg.out);
    koan = await Koan.open({ dir });
    const client = koan;
    const submit = async (file: string, options: { params?: Record<string, Record<string, unknown>>; cache?: boolean } = {}): Promise<RunRecord> => {
      const loaded = await loadPipelineFile(join(dir, file));
      const r = await client.submit(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, ...(options.params ? { params: options.params } : {}), ...(options.cache === false ? { cache: false } : {}) });
      return ended(client, r.id);
    };

    workers.push(await startWorker(dir), await startWorker(dir));
    process.stdout.write(`distributed: redis-server + 2 koan worker processes (1 task each), local artifact folder + SQLite; ${load()}\n`);

    // 1. Eight independent 1-second CPU-bound steps.
    await submit("cpu8.ts"); // warm-up
    const cpu = await submit("cpu8.ts");
    const cpuSteps = await client.metadata.listStepRuns(cpu.id);
    const sum = cpuSteps.reduce((n, s) => n + (s.durationMs ?? 0), 0);
    const wall = Date.parse(cpu.endedAt as string) - Date.parse(cpu.startedAt);
    figure("8 × 1 s CPU-bound steps on 2 workers: run wall time", wall / 1000, "s", `status ${cpu.status}; ${load()}`);
    figure("  sum of the step times", sum / 1000, "s");
    figure("  parallel speed-up (sum of step times / wall time)", sum / wall, "×", "ideal 2× on 2 workers");

    // 2. Dispatch latency: a chain of no-op steps, each enqueued when the one before it ends.
    const chain = await submit("chain.ts");
    const config = queueConfigSchema.parse({ url: `redis://127.0.0.1:${port}` });
    const open = await openQueue(config, "q");
    const pickup: number[] = [];
    const toCode: number[] = [];
    try {
      const steps = await client.metadata.listStepRuns(chain.id);
      for (const s of steps) {
        const job = await open.queue.getJob(`${chain.id}.${s.step}`);
        if (!job?.processedOn) continue;
        const task = job.data as StepTask;
        pickup.push(job.processedOn - task.enqueuedAt);
        const at = (await client.load(`${chain.id}/${s.step}/at`)) as number;
        toCode.push(at - task.enqueuedAt);
      }
    } finally {
      await open.close();
    }
    figure(`dispatch latency, enqueue → a worker takes the task (median of ${pickup.length})`, median(pickup), "ms", `p99 ${pct(pickup, 99).toFixed(0)} ms`);
    figure("dispatch latency, enqueue → the step's code starts (median)", median(toCode), "ms", `p99 ${pct(toCode, 99).toFixed(0)} ms (loads the pipeline file, takes the step's lease, records it)`);
    const chainWall = Date.parse(chain.endedAt as string) - Date.parse(chain.startedAt);
    figure(`  chain of ${chainLength} no-op steps: wall time per step`, chainWall / chainLength, "ms");

    // 3. Sharded statistics over the 1M-row dataset (8 shards, no stored statistics).
    const csv = join(dir, "bench.csv");
    await writeBenchCsv(csv, ROWS);
    const ingest = await Koan.open({ dir, stack: "default" });
    const folder = join(dir, "bench-dataset");
    try {
      const { fileSource } = await import("../src/steps/sources/file-source.js");
      const { pipeline } = await import("../src/core/pipeline.js");
      const p = pipeline({ name: "ingest", build: () => void fileSource(undefined, { params: { path: csv, shards: 8 } }) });
      const r = await ingest.run(p);
      const ds = (await ingest.load(r.outputs.file_source?.dataset as never)) as Dataset;
      // A copy without the statistics counted while ingesting, so the statistics step reads the shards.
      await mkdir(folder, { recursive: true });
      for (const rel of ds.files()) {
        if (rel === ds.manifest.statistics || rel === "dataset.json") continue;
        await mkdir(join(folder, rel, ".."), { recursive: true });
        await copyFile(await ds.localFile(rel), join(folder, rel));
      }
      const { statistics: _dropped, ...manifest } = ds.manifest as unknown as Record<string, unknown>;
      await writeFile(join(folder, "dataset.json"), JSON.stringify(manifest, null, 2));
      await Dataset.open(folder);
    } finally {
      await ingest.close();
    }
    const statsWall = async (): Promise<number> => {
      const r = await submit("stats.ts", { params: { source: { folder } }, cache: false });
      if (r.status !== "succeeded") throw new Error(`stats run ${r.id} ${r.status}: ${r.error?.message}`);
      const steps = await client.metadata.listStepRuns(r.id);
      const source = steps.find((s) => s.step === "source");
      const stats = steps.find((s) => s.step === "statistics");
      return Date.parse(stats?.endedAt as string) - Date.parse(source?.endedAt as string);
    };
    const two = await statsWall();
    await stopWorker(workers.pop() as ChildProcess);
    const one = await statsWall();
    figure(`sharded statistics, ${ROWS / 1e6}M rows, 8 shards: 1 worker`, one / 1000, "s", load());
    figure("  2 workers", two / 1000, "s");
    figure("  speed-up 1 → 2 workers", one / two, "×", "ideal 2×");

    // The local orchestrator: shards in worker threads.
    const local = await Koan.open({ dir, stack: "default" });
    try {
      const loaded = await loadPipelineFile(join(dir, "stats.ts"));
      const timeLocal = async (threads: number): Promise<number> => {
        process.env.KOAN_SHARD_THREADS = String(threads);
        const t = performance.now();
        const r = await local.run(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, params: { source: { folder } }, cache: false });
        const total = performance.now() - t;
        const s = r.steps.find((x) => x.step === "statistics");
        return s?.durationMs ?? total;
      };
      const t1 = await timeLocal(1);
      const t2 = await timeLocal(2);
      delete process.env.KOAN_SHARD_THREADS;
      figure("sharded statistics, local orchestrator: 1 thread", t1 / 1000, "s");
      figure("  2 worker threads", t2 / 1000, "s", `speed-up ${(t1 / t2).toFixed(2)}×`);
    } finally {
      await local.close();
    }
  } finally {
    for (const w of workers) await stopWorker(w).catch(() => undefined);
    await koan?.close().catch(() => undefined);
    redis.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}
