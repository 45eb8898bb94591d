/**
 * Shared set-up of the queue orchestrator tests: a Redis server, a project with a `queue` stack whose stores (a
 * local folder and an SQLite file, both shared by every process on this machine) all workers use, and `koan worker`
 * processes started and stopped by the test.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Koan } from "../../src/client/client.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import type { RunRecord } from "../../src/stores/metadata/types.js";
import { koan as cli, spawnKoan, tempProject, waitFor } from "../helpers.js";
import { startRedis, type RedisServer } from "./redis-server.js";

/** A started worker and what it printed. */
export interface TestWorker {
  child: ChildProcess;
  pid: number;
  output: () => string;
  stop(): Promise<void>;
}

/** The test world. */
export interface QueueWorld {
  dir: string;
  redis: RedisServer;
  marks: string;
  env: NodeJS.ProcessEnv;
  client: Koan;
  write(name: string, text: string): Promise<string>;
  startWorker(args?: string[]): Promise<TestWorker>;
  /** Workers started so far and not stopped. */
  workers: TestWorker[];
  /** Submit a run of a pipeline file (programmatic `koan run --detach`). */
  submit(file: string, options?: { cache?: boolean }): Promise<RunRecord>;
  /** Wait until run `id` has ended; returns its record. */
  ended(id: string, ms?: number): Promise<RunRecord>;
  /** Marker files whose name starts with `name.`. */
  marks_(name: string): Promise<string[]>;
  /** Remove every marker file. */
  clearMarks(): Promise<void>;
  close(): Promise<void>;
}

/** Queue config for tests: short locks and checks, so a dead worker's task moves within seconds. */
export function queueArg(redisUrl: string): string {
  return `queue?url=${redisUrl}&lockDurationMs=2000&stalledIntervalMs=1000&reconcileMs=1000&pollMs=100&backoffMs=200&attempts=3`;
}

/** Options of {@link queueWorld}. */
export interface WorldOptions {
  /** The shared metadata store's URI (default: an SQLite file in the project, shared by every process here). */
  metadataStore?: string;
  /** Extra environment of every process (secrets as KOAN_SECRET_<NAME>). */
  env?: NodeJS.ProcessEnv;
}

export async function queueWorld(options: WorldOptions = {}): Promise<QueueWorld> {
  const redis = await startRedis();
  const proj = await tempProject();
  const marks = join(proj.dir, "marks");
  await mkdir(marks);
  const env: NodeJS.ProcessEnv = { KOAN_TEST_MARKS: marks, KOAN_LEASE_TTL_MS: "2500", KOAN_LEASE_POLL_MS: "100", KOAN_SECRETS_FILE: join(proj.dir, "no-secrets.json"), ...(options.env ?? {}) };
  assert.equal((await cli(["init"], proj.dir, env)).code, 0);
  const reg = await cli(["stack", "register", "q", "--artifact-store", join(proj.dir, "shared", "artifacts"), "--metadata-store", options.metadataStore ?? join(proj.dir, "shared", "meta.db"), "--orchestrator", queueArg(redis.url), "--use"], proj.dir, env);
  assert.equal(reg.code, 0, reg.stderr);
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  const client = await Koan.open({ dir: proj.dir });
  const workers: TestWorker[] = [];
  const world: QueueWorld = {
    dir: proj.dir,
    redis,
    marks,
    env,
    client,
    workers,
    write: proj.write,
    async startWorker(args = []) {
      const child = spawnKoan(["worker", ...args], proj.dir, env);
      let out = "";
      child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
      child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await waitFor(() => /ready: stack "q"/.test(out) || child.exitCode !== null, 60_000, "the worker to start");
      assert.match(out, /ready: stack "q"/, out);
      const w: TestWorker = {
        child,
        pid: child.pid as number,
        output: () => out,
        async stop() {
          const i = workers.indexOf(w);
          if (i >= 0) workers.splice(i, 1);
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
          await exited;
          clearTimeout(t);
        },
      };
      workers.push(w);
      return w;
    },
    async submit(file, options = {}) {
      const loaded = await loadPipelineFile(file);
      return client.submit(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash, cache: options.cache ?? false });
    },
    async ended(id, ms = 90_000) {
      let run: RunRecord | undefined;
      await waitFor(async () => (run = await client.metadata.getRun(id))?.status !== "running", ms, `run ${id} to end`);
      return run as RunRecord;
    },
    async marks_(name) {
      return (await readdir(marks)).filter((f) => f.split(".")[0] === name);
    },
    async clearMarks() {
      for (const f of await readdir(marks)) await rm(join(marks, f), { force: true });
    },
    async close() {
      for (const w of [...workers]) await w.stop().catch(() => undefined);
      await client.close().catch(() => undefined);
      await redis.stop();
      await proj.cleanup();
      await rm(marks, { recursive: true, force: true });
    },
  };
  return world;
}

/** Pipeline-file helpers: a marker per execution (`<name>.<worker pid>.<pid>.<random>`), abort-aware sleep. */
export const HEADER = `import { pipeline, step, types as t } from "koan";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const mark = (name: string) => writeFileSync(join(process.env.KOAN_TEST_MARKS as string, name + "." + process.ppid + "." + process.pid + "." + Math.random().toString(36).slice(2)), "");
const count = (name: string) => readdirSync(process.env.KOAN_TEST_MARKS as string).filter((f) => f.split(".")[0] === name).length;
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); reject(new Error("aborted")); }, { once: true });
});
`;
