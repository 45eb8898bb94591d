/**
 * Two processes run the same pipeline against one stack at the same time: every cached step is computed
 * exactly once (counted by files the steps write), both runs succeed, and each run's lineage is complete.
 * Stacks: SQLite + local store, PostgreSQL + local store, and PostgreSQL + S3 (s3rver) when available.
 * Also: a holder that crashes mid-step does not block the others for longer than its lease.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Koan } from "../../src/client/client.js";
import { listFlavors } from "../../src/core/flavor.js";
import "../../src/stores/flavors.js";
import { finished, koan, spawnKoan, tempProject } from "../helpers.js";
import { freePort, postgresSkipReason, startPostgres, type PostgresServer } from "./postgres-server.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** a → (b1, b2) → c, after a barrier that holds each process until both have started (so they really race). */
const PIPELINE = `import { pipeline, step, types as t } from "koan";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const dir = process.env.KOAN_TEST_EXEC_DIR as string;
const mark = (name: string) => writeFileSync(join(dir, name + "." + process.pid + "." + Math.random().toString(36).slice(2)), "");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const barrier = step({ name: "barrier", cache: false, outputs: { go: t.json<number>() }, run: async () => {
  mark("barrier");
  const deadline = Date.now() + 30000;
  while (readdirSync(dir).filter((f) => f.startsWith("barrier.")).length < Number(process.env.KOAN_TEST_PARTIES ?? 2) && Date.now() < deadline) await sleep(20);
  return { go: 1 };
} });
const a = step({ name: "a", inputs: { go: t.json<number>() }, outputs: { v: t.json<number>() }, run: async () => {
  mark("a");
  if (process.env.KOAN_TEST_CRASH) process.kill(process.pid, "SIGKILL");
  await sleep(500);
  return { v: 1 };
} });
const b1 = step({ name: "b1", inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (_c, { v }) => { mark("b1"); await sleep(300); return { v: v + 1 }; } });
const b2 = step({ name: "b2", inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (_c, { v }) => { mark("b2"); await sleep(300); return { v: v * 10 }; } });
const c = step({ name: "c", inputs: { x: t.json<number>(), y: t.json<number>() }, outputs: { sum: t.json<number>() }, run: async (_c, { x, y }) => { mark("c"); await sleep(200); return { sum: x + y }; } });
export default pipeline({ name: "race", concurrency: 2, build: () => {
  const { go } = barrier();
  const { v } = a({ go });
  const x = b1({ v }, { name: "b1" });
  const y = b2({ v }, { name: "b2" });
  c({ x: x.v, y: y.v });
} });
`;

interface Setup {
  dir: string;
  execDir: string;
  env: NodeJS.ProcessEnv;
}

async function setup(register?: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const p = await tempProject();
  cleanups.push(p.cleanup);
  await p.write("pipeline.ts", PIPELINE);
  const execDir = join(p.dir, "executions");
  await mkdir(execDir);
  const env = { KOAN_TEST_EXEC_DIR: execDir, KOAN_SECRETS_FILE: join(p.dir, "no-secrets.json"), KOAN_LEASE_POLL_MS: "50", ...extraEnv };
  assert.equal((await koan(["init"], p.dir, env)).code, 0);
  if (register) {
    const r = await koan(["stack", "register", "shared", ...register, "--use"], p.dir, env);
    assert.equal(r.code, 0, r.stderr);
  }
  return { dir: p.dir, execDir, env };
}

async function executions(execDir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const f of await readdir(execDir)) {
    const name = f.split(".")[0] as string;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Run `fn` with `env` applied to this process's environment (the client resolves the stack's secrets here too). */
async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const prev = new Map(Object.keys(env).map((k) => [k, process.env[k]] as const));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of prev) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function raceTwoRuns(s: Setup): Promise<void> {
  const [r1, r2] = await Promise.all([finished(spawnKoan(["run", "pipeline.ts", "--json"], s.dir, s.env)), finished(spawnKoan(["run", "pipeline.ts", "--json"], s.dir, s.env))]);
  assert.equal(r1.code, 0, `run 1: ${r1.stderr}${r1.stdout}`);
  assert.equal(r2.code, 0, `run 2: ${r2.stderr}${r2.stdout}`);
  assert.deepEqual(await executions(s.execDir), { barrier: 2, a: 1, b1: 1, b2: 1, c: 1 }, "each cached step computed exactly once");

  await withEnv(s.env, () => checkRuns(s));
}

/** Both runs succeeded, each step was computed by one and reused by the other, and both lineages are complete. */
async function checkRuns(s: Setup): Promise<void> {
  const client = await Koan.open({ dir: s.dir });
  try {
    const runs = await client.runs({ limit: 10 });
    assert.equal(runs.length, 2);
    assert.notEqual(runs[0]?.id, runs[1]?.id);
    assert.deepEqual(runs.map((r) => r.status), ["succeeded", "succeeded"]);
    let waited = 0;
    for (const step of ["a", "b1", "b2", "c"]) {
      const mine = [];
      for (const r of runs) {
        const d = await client.runDetails(r.id);
        const sr = d.steps.find((x) => x.step === step);
        assert.ok(sr, `run ${r.id} has step ${step}`);
        mine.push(sr);
        if (((sr.meta as { leaseWaitMs?: number }).leaseWaitMs ?? 0) > 0) waited++;
      }
      assert.deepEqual(mine.map((x) => x.cacheHit).sort(), [false, true], `${step}: one computed, one reused`);
      const computed = mine.find((x) => !x.cacheHit);
      assert.equal(mine.find((x) => x.cacheHit)?.cachedFrom, computed?.id);
    }
    assert.ok(waited > 0, "one run waited on the other's lease");
    for (const r of runs) {
      const g = await client.lineage(`${r.id}/c/sum`);
      const steps = g.nodes.filter((n) => n.kind === "step").map((n) => (n.kind === "step" ? n.step : "")).sort();
      assert.deepEqual(steps, ["a", "b1", "b2", "barrier", "c"], `complete lineage of run ${r.id}`);
      assert.equal(await client.load(`${r.id}/c/sum`), 12);
    }
  } finally {
    await client.close();
  }
}

test("two processes on SQLite + local store: each step computed once, both succeed, lineage complete", async () => {
  await raceTwoRuns(await setup());
});

test("a crashed lease holder blocks the others only until its lease expires", async () => {
  const s = await setup(undefined, { KOAN_TEST_PARTIES: "1" });
  const crashed = await koan(["run", "pipeline.ts"], s.dir, { ...s.env, KOAN_TEST_CRASH: "1", KOAN_LEASE_TTL_MS: "8000" });
  assert.equal(crashed.signal, "SIGKILL");
  const db = new Database(join(s.dir, ".koan", "metadata.db"), { readonly: true });
  const orphans = db.prepare("select owner from leases").all() as { owner: string }[];
  db.close();
  assert.equal(orphans.length, 1, "the crashed process left its lease behind");
  const next = await koan(["run", "pipeline.ts", "--json"], s.dir, s.env);
  assert.equal(next.code, 0, next.stderr);
  assert.equal((await executions(s.execDir)).a, 2, "the step ran again after the crashed holder's lease expired");
  const client = await Koan.open({ dir: s.dir });
  try {
    const [latest, dead] = await client.runs({ limit: 2 });
    assert.equal(latest?.status, "succeeded");
    assert.equal(dead?.status, "interrupted");
    const a = (await client.runDetails(latest?.id as string)).steps.find((x) => x.step === "a");
    assert.equal(a?.cacheHit, false);
    assert.ok(((a?.meta as { leaseWaitMs?: number }).leaseWaitMs ?? 0) > 0, "it waited for the orphaned lease");
  } finally {
    await client.close();
  }
});

const pgSkip = postgresSkipReason();
let server: PostgresServer | undefined;
before(async () => {
  if (!pgSkip) {
    server = await startPostgres();
    cleanups.push(() => server?.stop() ?? Promise.resolve());
  }
});
let schemas = 0;
const pgUri = (): string => `postgres://koan:{{secret:pg}}@127.0.0.1:${server?.port}/postgres?schema=race_${++schemas}`;

test("two processes on PostgreSQL + local store: each step computed once, both succeed, lineage complete", { skip: pgSkip }, async () => {
  const sharedArtifacts = join((await tempProject().then((p) => (cleanups.push(p.cleanup), p))).dir, "artifacts");
  const s = await setup(["--artifact-store", sharedArtifacts, "--metadata-store", pgUri()], { KOAN_SECRET_PG: server?.password as string });
  await raceTwoRuns(s);
});

/**
 * Hook for the S3 artifact store: runs once the `s3` flavor is registered and s3rver (devDependency) loads.
 * It starts s3rver on 127.0.0.1 with a bucket and races two runs on PostgreSQL + S3.
 */
const S3RVER = "s3rver";
async function s3Skip(): Promise<string | undefined> {
  if (pgSkip) return pgSkip;
  if (!listFlavors("artifact-store").some((f) => f.name === "s3")) return "the s3 artifact store flavor is not registered yet";
  try {
    await import(S3RVER);
    await import("@aws-sdk/client-s3");
  } catch {
    return "s3rver or @aws-sdk/client-s3 is not installed";
  }
  return undefined;
}

test("two processes on PostgreSQL + S3 (s3rver): each step computed once, both succeed, lineage complete", { skip: await s3Skip() }, async () => {
  const { default: S3rver } = (await import(S3RVER)) as unknown as { default: new (o: object) => { run(): Promise<unknown>; close(): Promise<void> } };
  const { dir, cleanup } = await tempProject();
  cleanups.push(cleanup);
  const port = await freePort();
  const s3 = new S3rver({ port, address: "127.0.0.1", silent: true, directory: join(dir, "s3"), configureBuckets: [{ name: "koan-race" }] });
  await s3.run();
  cleanups.push(() => s3.close());
  const s = await setup(["--artifact-store", `s3://koan-race/runs?endpoint=http://127.0.0.1:${port}&region=us-east-1&forcePathStyle=true`, "--metadata-store", pgUri()], {
    KOAN_SECRET_PG: server?.password as string,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  });
  await raceTwoRuns(s);
});
