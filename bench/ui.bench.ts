/**
 * Dashboard benchmarks (issue: the dashboard): latency of the runs-list API over a store of 10,000 runs written
 * through koan.metadata directly: the first page, a deep page, and filters and sorts on the run, its parameters and
 * its last metric values, all answered by store queries (first: the first such request after the server started;
 * warm: the median of later ones).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Koan } from "../src/client/client.js";
import { startUiServer } from "../src/ui/server.js";
import { figure, median, time } from "./util.js";

const RUNS = 10_000;

async function fill(koan: Koan): Promise<void> {
  const md = koan.metadata;
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < RUNS; i++) {
    const id = `r-bench-${String(i).padStart(6, "0")}`;
    const startedAt = new Date(t0 + i * 60_000).toISOString();
    const endedAt = new Date(t0 + i * 60_000 + 5_000 + (i % 17) * 100).toISOString();
    const pipeline = `pipe${i % 5}`;
    const params = { train: { epochs: 10 + (i % 50), lr: [0.1, 0.01, 0.001][i % 3] as number, optimizer: i % 2 ? "adam" : "sgd" }, load: { n: 100 } };
    await md.createRun({
      id, pipeline, status: i % 23 === 0 ? "failed" : "succeeded", startedAt, endedAt: null, pipelineFile: null, sourceHash: "0".repeat(64),
      config: { seed: 0, concurrency: 1, cache: true, params }, environment: {}, stack: { name: "default" },
      spec: { name: pipeline, description: null, nodes: [{ name: "train", step: "train", codeHash: "c", inputs: {}, outputs: {}, params: {} }] }, error: null, host: "bench", pid: 1,
    });
    const sid = `s-bench-${String(i).padStart(6, "0")}`;
    await md.createStepRun({ id: sid, runId: id, step: "train", stepType: "train", status: "running", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: "c", params: params.train, startedAt, endedAt: null, durationMs: null, attempts: 1, error: null, logBlob: null, meta: {} }, []);
    await md.logMetrics([
      { stepRunId: sid, name: "loss", value: 1 / (1 + (i % 97)), step: 0, seq: 0, at: startedAt },
      { stepRunId: sid, name: "accuracy", value: (i % 101) / 100, step: null, seq: 1, at: startedAt },
    ]);
    await md.finishStepRun(sid, { status: "succeeded", endedAt, durationMs: 5000, attempts: 1, error: null, logBlob: null, meta: {} }, []);
    await md.finishRun(id, i % 23 === 0 ? "failed" : "succeeded", endedAt, null);
  }
}

export async function run(): Promise<void> {
  process.stdout.write(`ui: runs-list API latency over ${RUNS.toLocaleString("en")} runs (SQLite, HTTP on 127.0.0.1; median of 15)\n`);
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-ui-"));
  const koan = await Koan.open({ dir, init: true });
  try {
    const fillMs = await time(() => fill(koan));
    figure("writing the store (runs, step runs, metrics)", fillMs / 1000, "s");
    const server = await startUiServer(koan, { port: 0 });
    try {
      const get = async (q: string): Promise<number> => {
        const t = performance.now();
        const res = await fetch(`${server.url}api/runs?${q}`);
        const body = (await res.json()) as { total: number };
        if (!res.ok || typeof body.total !== "number") throw new Error(`GET /api/runs?${q}: ${res.status}`);
        return performance.now() - t;
      };
      const med = async (q: string): Promise<number> => {
        const xs: number[] = [];
        for (let i = 0; i < 15; i++) xs.push(await get(q));
        return median(xs);
      };
      const target = (ms: number): string => `target < 100 ms: ${ms < 100 ? "met" : "NOT met"}`;
      let m = await med("limit=50");
      figure("first page (50 runs, newest first)", m, "ms", target(m));
      m = await med(`limit=50&offset=${RUNS - 50}`);
      figure("deep page (offset 9,950)", m, "ms", target(m));
      m = await med("limit=50&pipeline=pipe3&status=succeeded");
      figure("filtered in the store (pipeline + status)", m, "ms", target(m));
      const param = `limit=50&filter=${encodeURIComponent("params.train.epochs>=40")}&filter=${encodeURIComponent("params.train.optimizer=adam")}`;
      figure("parameter filter, first request", await get(param), "ms");
      m = await med(param);
      figure("parameter filter, warm", m, "ms", target(m));
      const metric = `limit=50&filter=${encodeURIComponent("metrics.train.accuracy>0.9")}`;
      figure("metric filter, first request", await get(metric), "ms", "was 2.7 s with the in-memory index it replaced");
      m = await med(metric);
      figure("metric filter, warm", m, "ms", target(m));
      m = await med("limit=50&sort=-metrics.train.accuracy&offset=5000");
      figure("sorted by a metric, deep page, warm", m, "ms", target(m));
      m = await med("limit=50&from=2026-01-03&to=2026-01-04");
      figure("date range", m, "ms", target(m));
    } finally {
      await server.close();
    }
  } finally {
    await koan.close();
    await rm(dir, { recursive: true, force: true });
  }
}
