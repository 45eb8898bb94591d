/**
 * The `queue` orchestrator: runs a pipeline's steps on `koan worker` processes through a BullMQ queue on Redis.
 * Submitting a run enqueues its ready steps (one job per step, id `<run>.<step>`); the worker that finishes a
 * step enqueues the steps it unblocked and finishes the run when every step has ended, so a run goes on without
 * the process that started it (`koan run --detach`). Attached, `koan run` follows the run's progress from the
 * metadata store and also re-enqueues ready steps Redis may have lost. See docs/distributed.md.
 * @module
 */
import { KoanError, StepFailedError } from "../../core/errors.js";
import type { RunEnv } from "../../runner/types.js";
import { runStateOf } from "../../runner/run-state.js";
import type { MetadataStore, RunRecord } from "../../stores/metadata/types.js";
import { cancelRun } from "../cancel.js";
import { followRun } from "../follow.js";
import type { Orchestrator, RunOutcome, RunPlan, SubmittedRun } from "../types.js";
import { advanceRun } from "./advance.js";
import type { QueueConfig } from "./config.js";
import { ensureStepQueued, openQueue, type OpenQueue } from "./queue.js";
import { closeConnection, producerConnection } from "./redis.js";
import { stepJobId } from "./tasks.js";

/** The stack name a run recorded. */
export function stackNameOf(run: RunRecord): string {
  const name = (run.stack as { name?: unknown } | null)?.name;
  if (typeof name !== "string") throw new KoanError("STORE_INVALID", `run ${run.id} recorded no stack name`);
  return name;
}

/** Options of {@link advanceQueued}. */
export interface AdvanceOptions {
  /** Also re-enqueue steps left running by an executor that no longer holds their task lease. */
  orphans?: boolean;
  /** A step whose task failed for good (recorded failed by the caller, then the run is advanced again). */
  onGivenUp?: (step: string, reason: string) => Promise<void>;
}

/** Enqueue what is ready in `runId` (see {@link advanceRun}). */
export async function advanceQueued(open: OpenQueue, config: QueueConfig, metadata: MetadataStore, runId: string, options: AdvanceOptions = {}): Promise<void> {
  let givenUp = false;
  await advanceRun(
    metadata,
    runId,
    async (steps) => {
      for (const s of steps) {
        const got = await ensureStepQueued(open, config, runId, s);
        if (got.kind === "given-up" && options.onGivenUp) {
          await options.onGivenUp(s, got.reason);
          givenUp = true;
        }
      }
    },
    { ...(options.orphans ? { orphans: true } : {}) },
  );
  if (givenUp) await advanceQueued(open, config, metadata, runId, { ...options, onGivenUp: undefined });
}

/** Rebuild the failures of a finished run from its failed step runs. */
async function failuresOf(metadata: MetadataStore, run: RunRecord): Promise<StepFailedError[]> {
  const state = runStateOf(run, await metadata.listStepRuns(run.id));
  return state.failures().map((s) => {
    const stored = s.error ?? { code: "STEP_FAILED", message: "failed" };
    const cause = new KoanError(stored.code as KoanError["code"], stored.message, stored.hint ? { hint: stored.hint } : {});
    if (stored.stack) cause.stack = stored.stack;
    return new StepFailedError({ pipeline: run.pipeline, step: s.step, runId: run.id, cause });
  });
}

/** The `queue` orchestrator (see the module description); created by the flavor with its resolved config. */
export class QueueOrchestrator implements Orchestrator {
  readonly flavor = "queue";
  readonly detached = true;

  constructor(readonly config: QueueConfig) {}

  /** Resolve when Redis answers; `ORCHESTRATOR_UNAVAILABLE` otherwise. */
  async ping(): Promise<void> {
    await closeConnection(await producerConnection(this.config));
  }

  async check(plan: RunPlan): Promise<void> {
    if (!plan.pipelineFile) {
      throw new KoanError("USAGE", `the queue orchestrator of stack "${plan.stack.name}" runs steps on workers, which load the pipeline from its file`, {
        hint: "run it with koan run <file>, or pass pipelineFile (and sourceHash) to client.run()",
      });
    }
    await this.ping();
  }

  async submit(submitted: SubmittedRun): Promise<void> {
    const open = await openQueue(this.config, stackNameOf(submitted.run));
    try {
      await advanceQueued(open, this.config, submitted.metadata, submitted.run.id);
    } finally {
      await open.close();
    }
  }

  async cancel(cancelled: SubmittedRun): Promise<void> {
    const open = await openQueue(this.config, stackNameOf(cancelled.run));
    try {
      const state = runStateOf(cancelled.run, []);
      for (const n of state.nodes) {
        const job = await open.queue.getJob(stepJobId(cancelled.run.id, n.name));
        if (!job) continue;
        const st = await job.getState();
        if (st === "waiting" || st === "delayed" || st === "prioritized" || st === "waiting-children") await job.remove().catch(() => undefined);
      }
    } finally {
      await open.close();
    }
  }

  async execute(env: RunEnv): Promise<RunOutcome> {
    const first = await env.metadata.getRun(env.runId);
    if (!first) throw new KoanError("INTERNAL", `run ${env.runId} was not recorded`);
    const open = await openQueue(this.config, env.stack.name);
    let polls = 0;
    let cancelling: Promise<unknown> | undefined;
    try {
      await advanceQueued(open, this.config, env.metadata, env.runId);
      const onAbort = (): void => {
        cancelling ??= env.metadata.getRun(env.runId).then((run) => (run?.status === "running" ? cancelRun(env.metadata, run, { orchestrator: this, waitMs: 10_000 }) : undefined)).catch(() => undefined);
      };
      if (env.signal.aborted) onAbort();
      env.signal.addEventListener("abort", onAbort, { once: true });
      let last: RunRecord;
      const t0 = Date.now();
      let started = false;
      let told = false;
      try {
        last = await followRun(env.metadata, env.runId, {
          pollMs: this.config.pollMs,
          onEvent: (e) => {
            if (e.type === "step-started" || e.type === "step-finished") started = true;
            env.emit(e);
          },
          onPoll: async (_run, steps) => {
            // Every few reads, re-enqueue what is ready (covers a Redis that lost its keys, or a lost advance).
            if (++polls % 10 === 0 && !env.signal.aborted) await advanceQueued(open, this.config, env.metadata, env.runId, { orphans: true }).catch(() => undefined);
            // Nothing taken after a while: say what the run waits for.
            if (!started && !told && steps.length === 0 && Date.now() - t0 > 5_000) {
              told = true;
              for (const step of runStateOf(first, []).ready()) {
                env.emit({ type: "step-log", runId: env.runId, step, line: `queued on "${open.name}", waiting for a worker (start one: koan worker --stack ${env.stack.name})` });
              }
            }
          },
        });
        await cancelling;
        last = (await env.metadata.getRun(env.runId)) ?? last;
      } finally {
        env.signal.removeEventListener("abort", onAbort);
      }
      const status = last.status === "succeeded" ? "succeeded" : last.status === "cancelled" ? "cancelled" : "failed";
      return { status, failures: await failuresOf(env.metadata, last) };
    } finally {
      await open.close();
    }
  }
}
