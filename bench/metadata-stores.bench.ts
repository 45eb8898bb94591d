/**
 * Metadata store benchmarks (issue: Stacks for teams): a store holding 10,000 runs (3 steps each, with
 * artifacts, blobs, events and metrics, written through the store API), then the median time to list the latest
 * 50 runs and to walk a run's lineage, on SQLite and on PostgreSQL (a server started here). Target: listing
 * under 50 ms on both.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineageOf } from "../src/client/lineage.js";
import type { ArtifactRecord, MetadataStore, RunRecord, StepRunRecord } from "../src/stores/metadata/types.js";
import { openSqliteStore } from "../src/stores/metadata/sqlite/open.js";
import { openPostgresStore } from "../src/stores/metadata/postgres/open.js";
import { postgresSkipReason, startPostgres } from "../test/stacks/postgres-server.js";
import { figure, median, time } from "./util.js";

const RUNS = Number(process.env.KOAN_BENCH_RUNS ?? 10_000);
const STEPS = ["load", "train", "evaluate"];
const t0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number): string => new Date(t0 + ms).toISOString();
const pad = (n: number): string => String(n).padStart(6, "0");

/** Write one run of three chained steps; returns the id of its last artifact. */
async function writeRun(s: MetadataStore, i: number): Promise<string> {
  const runId = `r-bench-${pad(i)}`;
  const run: RunRecord = {
    id: runId,
    pipeline: `pipeline-${i % 7}`,
    status: "running",
    startedAt: iso(i * 60_000),
    endedAt: null,
    pipelineFile: "pipeline.ts",
    sourceHash: "src",
    config: { seed: i, params: { train: { lr: 0.01, epochs: 10 } } },
    environment: { koan: "0.1.0", node: "v20" },
    stack: { name: "bench" },
    spec: { nodes: STEPS.map((n) => ({ name: n })) },
    error: null,
    host: "bench",
    pid: 1,
  };
  await s.createRun(run);
  let prev: ArtifactRecord | undefined;
  for (const [k, step] of STEPS.entries()) {
    const id = `s-bench-${pad(i)}-${k}`;
    const sr: StepRunRecord = {
      id,
      runId,
      step,
      stepType: step,
      status: "running",
      cacheKey: `key-${i}-${k}`,
      cacheHit: false,
      cachedFrom: null,
      codeHash: "code",
      params: { k },
      startedAt: iso(i * 60_000 + k * 1000),
      endedAt: null,
      durationMs: null,
      attempts: 0,
      error: null,
      logBlob: null,
      meta: {},
    };
    await s.createStepRun(sr, prev ? [{ stepRunId: id, artifactId: prev.id, kind: "input", port: "data" }] : []);
    const hash = `${pad(i)}${k}`.padEnd(64, "a");
    const art: ArtifactRecord = {
      id: `a-bench-${pad(i)}-${k}`,
      type: "json",
      materializer: "koan.json",
      materializerVersion: 1,
      contentHash: hash,
      uri: `file:///bench/sha256/${hash}`,
      size: 1000 + k,
      producerStepRun: id,
      outputName: "out",
      createdAt: iso(i * 60_000 + k * 1000 + 500),
      meta: {},
    };
    await s.finishStepRun(id, { status: "succeeded", endedAt: iso(i * 60_000 + k * 1000 + 900), durationMs: 900, attempts: 1, error: null, logBlob: null, meta: {} }, [
      { port: "out", artifact: art, blobs: [hash, `${hash.slice(0, 63)}b`] },
    ]);
    if (step === "train") await s.logMetrics([0.9, 0.5, 0.3].map((value, seq) => ({ stepRunId: id, name: "loss", value, step: seq, seq, at: iso(i * 60_000 + seq) })));
    prev = art;
  }
  await s.finishRun(runId, "succeeded", iso(i * 60_000 + 5000), null);
  return (prev as ArtifactRecord).id;
}

async function fill(s: MetadataStore, parallel: number): Promise<string[]> {
  const last: string[] = new Array<string>(RUNS);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < RUNS; i = next++) last[i] = await writeRun(s, i);
    }),
  );
  return last;
}

async function measure(label: string, s: MetadataStore, parallel: number): Promise<void> {
  const fillMs = await time(async () => {
    lastArtifacts = await fill(s, parallel);
  });
  figure(`${label}: write ${RUNS} runs (3 steps each) through the store API`, fillMs / 1000, "s");
  const src = { metadata: s, resolveArtifact: async (id: string) => (await s.getArtifact(id)) as ArtifactRecord };
  for (let i = 0; i < 5; i++) await s.listRuns({ limit: 50 });
  const list: number[] = [];
  for (let i = 0; i < 50; i++) list.push(await time(() => s.listRuns({ limit: 50 })));
  const m = median(list);
  figure(`${label}: list the latest 50 runs (median of 50)`, m, "ms", `target < 50 ms: ${m < 50 ? "met" : "NOT met"}`);
  const filtered: number[] = [];
  for (let i = 0; i < 30; i++) filtered.push(await time(() => s.listRuns({ limit: 50, pipeline: "pipeline-3", status: "succeeded" })));
  figure(`${label}: list the latest 50 runs of one pipeline (median of 30)`, median(filtered), "ms");
  const lineage: number[] = [];
  for (let i = 0; i < 50; i++) {
    const id = lastArtifacts[Math.floor((i * 7919) % RUNS)] as string;
    lineage.push(await time(() => lineageOf(src, id, "up")));
  }
  figure(`${label}: a run's lineage (3 steps, median of 50)`, median(lineage), "ms");
}

let lastArtifacts: string[] = [];

export async function run(): Promise<void> {
  process.stdout.write(`metadata stores: ${RUNS} runs; listing and lineage queries\n`);
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-md-"));
  try {
    const sqlite = await openSqliteStore({ path: join(dir, "metadata.db") });
    try {
      await measure("sqlite", sqlite, 1);
    } finally {
      await sqlite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const skip = postgresSkipReason();
  if (skip) {
    process.stdout.write(`  postgres: skipped (${skip})\n`);
    return;
  }
  const server = await startPostgres();
  try {
    const store = await openPostgresStore({ url: server.url, poolSize: 8 });
    try {
      await measure("postgres", store, 8);
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }
}
