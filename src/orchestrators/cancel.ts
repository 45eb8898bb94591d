/**
 * `koan runs cancel <run>`: stop a run wherever its steps execute. A run owned by a process on this machine (a
 * local `koan run`) gets that process's Ctrl-C. A run no process owns (queued on workers, created for remote
 * executors) is marked `cancelled` in the metadata store — every `koan step-run` executing one of its steps reads
 * that within a second, stops, and records its step `cancelled` — and its orchestrator drops its queued tasks.
 * Steps still running after `waitMs` are recorded `cancelled`.
 * @module
 */
import { hostname } from "node:os";
import { KoanError, messageOf } from "../core/errors.js";
import type { MetadataStore, RunRecord } from "../stores/metadata/types.js";
import type { Orchestrator } from "./types.js";
import { processAlive as alive } from "../core/process.js";

/** Options of {@link cancelRun}. */
export interface CancelOptions {
  /** The stack's orchestrator (its queued tasks of the run are dropped). */
  orchestrator?: Orchestrator;
  /** How long to wait for running steps to stop before recording them cancelled (default 15 s). */
  waitMs?: number;
  /** How often to look (default 200 ms). */
  pollMs?: number;
}

/** What {@link cancelRun} did. */
export interface Cancelled {
  run: RunRecord;
  /** How the run was stopped. */
  how: "signal" | "record";
  /** Steps that were still running after `waitMs` and were recorded cancelled. */
  forced: string[];
  /** Why the orchestrator could not drop the run's queued tasks (workers then skip them when they reach them). */
  dropError?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Cancel `run` (see the module description). Throws `USAGE` for a run that is not running or runs in a process elsewhere. */
export async function cancelRun(metadata: MetadataStore, run: RunRecord, options: CancelOptions = {}): Promise<Cancelled> {
  if (run.status !== "running") throw new KoanError("USAGE", `run ${run.id} is ${run.status}: there is nothing to cancel`);
  const waitMs = options.waitMs ?? 15_000;
  const pollMs = options.pollMs ?? 200;
  const deadline = Date.now() + waitMs;
  if (run.pid > 0) {
    if (run.host !== hostname()) {
      throw new KoanError("USAGE", `run ${run.id} is executed by process ${run.pid} on ${run.host}; cancel it there (Ctrl-C)`, { hint: "only runs on a distributed orchestrator (queue) can be cancelled from any machine" });
    }
    if (alive(run.pid)) process.kill(run.pid, "SIGINT");
    while (Date.now() < deadline) {
      const now = await metadata.getRun(run.id);
      if (now?.status !== "running") return { run: now ?? run, how: "signal", forced: [] };
      await sleep(pollMs);
    }
    throw new KoanError("STEP_TIMEOUT", `run ${run.id} did not stop within ${Math.round(waitMs / 1000)} s of Ctrl-C (process ${run.pid})`, { hint: "press Ctrl-C twice in its terminal, or end the process" });
  }
  await metadata.finishRun(run.id, "cancelled", new Date().toISOString(), { code: "RUN_CANCELLED", message: "the run was cancelled (koan runs cancel)" });
  let dropError: string | undefined;
  await options.orchestrator?.cancel?.({ run, metadata }).catch((e: unknown) => (dropError = messageOf(e)));
  let running: string[] = [];
  while (Date.now() < deadline) {
    running = (await metadata.listStepRuns(run.id)).filter((s) => s.status === "running").map((s) => s.step);
    if (!running.length) break;
    await sleep(pollMs);
  }
  if (running.length) await metadata.endRunningSteps(run.id, "cancelled", new Date().toISOString());
  return { run: (await metadata.getRun(run.id)) ?? run, how: "record", forced: running, ...(dropError ? { dropError } : {}) };
}
