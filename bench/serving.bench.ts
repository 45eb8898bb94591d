/**
 * Serving benchmark (issue: serving): single-row Open Inference Protocol V2 infer requests over loopback with
 * autocannon against the Koan model server serving the quickstart's bundle (trained first, in a temporary
 * project: transform + TF.js model), and against a bare `node:http` server calling the same bundle's predict
 * function (the limit), each server in its own process. Prints requests/s and p50/p99 latency (medians of
 * interleaved rounds, so background load hits every configuration alike), server CPU time per request, the
 * throughput ratio (target ≥ 80%), and micro-batching on/off at 64 connections.
 * KOAN_BENCH_SECONDS sets each run's length (default 5; the figure is 10), KOAN_BENCH_ROUNDS the rounds
 * (default 3).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import quickstart from "../examples/quickstart/pipeline.js";
import { Koan } from "../src/client/client.js";
import { exportArtifact } from "../src/serving/resolve.js";
import { figure, median } from "./util.js";

/** One raw penguin (the first row of penguins.json) as a V2 request. */
const REQUEST = {
  inputs: [
    { name: "Island", datatype: "BYTES", shape: [1], data: ["Torgersen"] },
    { name: "Beak Length (mm)", datatype: "FP32", shape: [1], data: [39.1] },
    { name: "Beak Depth (mm)", datatype: "FP32", shape: [1], data: [18.7] },
    { name: "Flipper Length (mm)", datatype: "FP32", shape: [1], data: [181] },
    { name: "Body Mass (g)", datatype: "INT64", shape: [1], data: [3750] },
    { name: "Sex", datatype: "BYTES", shape: [1], data: ["MALE"] },
  ],
};

/** Train the quickstart in a temporary project and export its bundle to a folder. */
async function quickstartBundle(root: string): Promise<string> {
  const koan = await Koan.open({ dir: join(root, "project"), init: true });
  try {
    const r = await koan.run(quickstart);
    if (r.status !== "succeeded") throw new Error(`the quickstart failed: ${r.error?.message}`);
    const dir = join(root, "bundle");
    await exportArtifact(koan, await koan.resolveArtifact(`${r.runId}/bundle/bundle`), dir);
    return dir;
  } finally {
    await koan.close();
  }
}

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<Result>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
const TARGET = fileURLToPath(new URL("./serving-target.js", import.meta.url));

interface Target {
  port: number;
  child: ChildProcess;
  lines: string[];
}

async function serverProcess(args: string[]): Promise<Target> {
  const child = spawn(process.execPath, [TARGET, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const parts = out.split("\n");
      out = parts.pop() ?? "";
      for (const l of parts) {
        lines.push(l);
        if (lines.length === 1) resolve((JSON.parse(l) as { port: number }).port);
      }
    });
    child.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { port, child, lines };
}

/** Stop a target; resolves with its CPU µs per answered request. */
async function stop(t: Target): Promise<number> {
  const exited = new Promise((r) => t.child.once("exit", r));
  t.child.kill("SIGTERM");
  await exited;
  const last = JSON.parse(t.lines.at(-1) ?? "{}") as { cpuUs?: number; requests?: number };
  return (last.cpuUs ?? 0) / Math.max(1, last.requests ?? 0);
}

async function load(port: number, connections: number, seconds: number): Promise<Result> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/v2/models/penguins/infer`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(REQUEST),
    connections,
    duration: seconds,
  });
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r;
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.KOAN_BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.KOAN_BENCH_ROUNDS ?? 3);
  const root = await mkdtemp(join(tmpdir(), "koan-bench-serving-"));
  const bundle = await quickstartBundle(root);
  process.stdout.write(`serving: single-row V2 infer of the quickstart's bundle (raw features → transform → TF.js model) over loopback (autocannon, ${seconds} s per run, median of ${rounds} interleaved rounds, each server in its own process; load average ${loadavg()[0]?.toFixed(1)})\n`);
  const targets = {
    bare: await serverProcess(["--mode", "bare", "--bundle", bundle]),
    on: await serverProcess(["--mode", "koan", "--batching", "on", "--bundle", bundle]),
    off: await serverProcess(["--mode", "koan", "--batching", "off", "--bundle", bundle]),
  };
  const runs: Record<string, Result[]> = { bare10: [], koan10: [], off10: [], off64: [], on64: [] };
  const cpu = { bare: 0, on: 0, off: 0 };
  try {
    for (const t of Object.values(targets)) await load(t.port, 10, 1); // warm-up
    for (let r = 0; r < rounds; r++) {
      runs.bare10?.push(await load(targets.bare.port, 10, seconds));
      runs.koan10?.push(await load(targets.on.port, 10, seconds));
      runs.off10?.push(await load(targets.off.port, 10, seconds));
      runs.off64?.push(await load(targets.off.port, 64, seconds));
      runs.on64?.push(await load(targets.on.port, 64, seconds));
    }
  } finally {
    cpu.bare = await stop(targets.bare);
    cpu.on = await stop(targets.on);
    cpu.off = await stop(targets.off);
    await rm(root, { recursive: true, force: true });
  }
  const rps = (k: string): number => median((runs[k] ?? []).map((x) => x.requests.average));
  const p = (k: string, q: "p50" | "p99"): number => median((runs[k] ?? []).map((x) => x.latency[q]));
  const note = (k: string): string => `p50 ${p(k, "p50")} ms, p99 ${p(k, "p99")} ms`;
  figure("bare node:http server, 10 connections", rps("bare10"), "req/s", note("bare10"));
  figure("koan server (defaults), 10 connections", rps("koan10"), "req/s", note("koan10"));
  figure("koan / bare throughput, 10 connections", (100 * rps("koan10")) / rps("bare10"), "%", "target ≥ 80%");
  figure("koan server, batching off, 10 connections", rps("off10"), "req/s", note("off10"));
  figure("koan (batching off) / bare throughput, 10 connections", (100 * rps("off10")) / rps("bare10"), "%", "framework overhead alone");
  figure("server CPU per request: bare", cpu.bare, "µs");
  figure("server CPU per request: koan, batching on", cpu.on, "µs", `bare / koan = ${((100 * cpu.bare) / cpu.on).toFixed(0)}%`);
  figure("server CPU per request: koan, batching off", cpu.off, "µs", `bare / koan = ${((100 * cpu.bare) / cpu.off).toFixed(0)}%`);
  figure("koan server, 64 connections, micro-batching off", rps("off64"), "req/s", note("off64"));
  figure("koan server, 64 connections, micro-batching on", rps("on64"), "req/s", note("on64"));
  figure("micro-batching on / off at 64 connections", rps("on64") / rps("off64"), "x", "target > 1");
}
