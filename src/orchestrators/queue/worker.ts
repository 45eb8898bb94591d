/**
 * `koan worker`: takes step tasks of a stack's queue and runs each in a task process with `stepRun` (what
 * `koan step-run` runs), then moves the run forward (enqueues the steps it unblocked, finishes the run when every
 * step has ended). Any number of workers on any number of machines share one stack: a shared artifact store and a
 * metadata store every worker reaches.
 *
 * Faults: a task whose worker dies (SIGKILL, machine lost) is re-delivered by BullMQ's stalled-job check after
 * `lockDurationMs` and taken over by another worker (see `stepRun`); a task process that crashes is retried up to
 * `attempts` times with exponential backoff, then the step is recorded failed. Every `reconcileMs`, at start and
 * whenever Redis comes back, workers re-enqueue ready (or orphaned) steps of the stack's running queued runs from
 * the metadata store, so a Redis that restarted without its data does not lose a run.
 * @module
 */
import { hostname } from "node:os";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { Koan } from "../../client/client.js";
import { KoanError, messageOf } from "../../core/errors.js";
import { createComponent } from "../../core/flavor.js";
import { newId } from "../../core/ids.js";
import { readRunState } from "../../runner/run-state.js";
import { redactUri } from "../../secrets/redact.js";
import type { MetadataStore } from "../../stores/metadata/types.js";
import { KOAN_VERSION } from "../../version.js";
import { advanceQueued, stackNameOf, type QueueOrchestrator } from "./orchestrator.js";
import { TaskPool, type TaskOutcome } from "./pool.js";
import { enqueueShards, openQueue, type OpenQueue } from "./queue.js";
import type { TaskRequest } from "./protocol.js";
import { closeConnection, workerConnection } from "./redis.js";
import type { QueueTask } from "./tasks.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** The project (default: this folder or the nearest parent with `.koan/`). */
  dir?: string;
  /** The stack (default: the active one); its orchestrator must be `queue`. */
  stack?: string;
  /** Tasks at once (default 1). */
  concurrency?: number;
  /** One line per event (task started, ended, refused; Redis lost and back). */
  log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** `<host>:<pid>:<random>`, also the BullMQ worker name. */
  readonly name: string;
  /** The BullMQ queue it serves. */
  readonly queue: string;
  /** Stop taking tasks and wait for the running ones (with `force`, kill them: other workers retry them). */
  close(force?: boolean): Promise<void>;
}

const now = (): string => new Date().toISOString();

/** Record a step whose task was given up (its processes kept dying): failed, unless it already ended. */
async function recordLostStep(metadata: MetadataStore, runId: string, step: string, why: string): Promise<void> {
  const state = await readRunState(metadata, runId).catch(() => undefined);
  const node = state?.node(step);
  if (!state || !node || state.run.status !== "running") return;
  const st = state.states.get(step);
  if (st !== "running" && st !== "pending") return;
  const error = { code: "STEP_FAILED", message: `step "${step}" of run ${runId} was given up: ${why}`, hint: "see the workers' output; a step that crashes its process (out of memory?) needs more resources" };
  const running = (state.records.get(step) ?? []).find((r) => r.status === "running" || r.status === "interrupted");
  const endedAt = now();
  if (running) {
    await metadata.finishStepRun(running.id, { status: "failed", endedAt, durationMs: running.startedAt ? Date.now() - Date.parse(running.startedAt) : null, attempts: running.attempts, error, logBlob: running.logBlob, meta: running.meta }, []);
    return;
  }
  const id = newId("s");
  const params = ((state.run.config as { params?: Record<string, unknown> } | null)?.params?.[step] ?? {}) as never;
  await metadata.createStepRun({ id, runId, step, stepType: node.step, status: "running", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: node.codeHash, params, startedAt: endedAt, endedAt: null, durationMs: null, attempts: 0, error: null, logBlob: null, meta: { host: hostname() } }, []);
  await metadata.finishStepRun(id, { status: "failed", endedAt, durationMs: 0, attempts: 0, error, logBlob: null, meta: { host: hostname() } }, []);
}

/** Start a worker (see the module description). Throws `USAGE` for a stack without the queue orchestrator, `ORCHESTRATOR_UNAVAILABLE` when Redis does not answer. */
export async function startWorker(options: WorkerOptions = {}): Promise<QueueWorker> {
  const log = options.log ?? (() => undefined);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new KoanError("USAGE", `--concurrency must be a whole number ≥ 1, got ${concurrency}`);
  const koan = await Koan.open({ ...(options.dir ? { dir: options.dir } : {}), ...(options.stack ? { stack: options.stack } : {}) });
  const cleanups: (() => Promise<void>)[] = [() => koan.close()];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const stackName = koan.stack.name;
    if (koan.stack.orchestrator.flavor !== "queue") {
      throw new KoanError("USAGE", `stack "${stackName}" uses the ${koan.stack.orchestrator.flavor} orchestrator; koan worker serves stacks with the queue orchestrator`, {
        hint: "register one: koan stack register <name> --artifact-store <shared> --metadata-store <shared> --orchestrator redis://host:6379 (docs/distributed.md)",
      });
    }
    const orchestrator = await createComponent<QueueOrchestrator>("orchestrator", "queue", koan.stack.orchestrator.config, { projectDir: koan.project.dir });
    const config = orchestrator.config;
    await orchestrator.ping();
    const name = `${hostname()}:${process.pid}:${newId("d").slice(-6)}`;

    let redisDown = false;
    const onRedisError = (e: Error): void => {
      if (!redisDown) log(`Redis at ${redactUri(config.url)} is unreachable (${messageOf(e)}); retrying`);
      redisDown = true;
    };
    const producer: Redis = await workerConnection(config, onRedisError);
    cleanups.push(() => closeConnection(producer));
    const open: OpenQueue = await openQueue(config, stackName, producer);
    cleanups.push(() => open.close());
    const pool = new TaskPool({ size: concurrency, projectDir: koan.project.dir, stack: stackName, onLine: (label, line) => log(`${label} | ${line}`) });
    let forced = false;
    cleanups.push(() => pool.close(forced));

    const advance = async (runId: string, orphans = false): Promise<void> => {
      await advanceQueued(open, config, koan.metadata, runId, { orphans, onGivenUp: (step, why) => recordLostStep(koan.metadata, runId, step, why) });
    };

    const runStep = async (job: Job<QueueTask>, task: Extract<QueueTask, { kind: "step" | "merge" | "shard" }>): Promise<unknown> => {
      const { UnrecoverableError } = await loadCommonJs<typeof import("bullmq")>("bullmq");
      const label = `${task.runId}/${task.step}${task.kind === "shard" ? ` shard ${task.index + 1}/${task.count}` : task.kind === "merge" ? " merge" : ""}`;
      const run = await koan.metadata.getRun(task.runId);
      if (!run) throw new UnrecoverableError(`run ${task.runId} is not in this worker's metadata store (${koan.metadata.uri}); does another project use the queue "${open.name}"? Give each its own (queue=<name> in the orchestrator's config)`);
      if (run.status !== "running") {
        log(`${label}: not run, the run is ${run.status}`);
        return { skipped: run.status };
      }
      log(`${label}: started${job.attemptsMade ? ` (delivery ${job.attemptsMade + 1})` : ""}, ${Date.now() - task.enqueuedAt} ms after it was enqueued`);
      // A cancelled run: the task process stops its step itself; one that does not within 10 s is killed.
      let child: import("node:child_process").ChildProcess | undefined;
      let cancelledAt: number | undefined;
      const watchdog = setInterval(() => {
        koan.metadata.getRun(task.runId).then(
          (r) => {
            if (r?.status !== "cancelled" || !child) return;
            cancelledAt ??= Date.now();
            if (Date.now() - cancelledAt > 10_000) child.kill("SIGKILL");
          },
          () => undefined,
        );
      }, 1_000);
      let outcome: TaskOutcome;
      try {
        let request: TaskRequest;
        if (task.kind === "shard") request = { kind: "shard", runId: task.runId, step: task.step, index: task.index, count: task.count };
        else if (task.kind === "merge") {
          // Every shard finished: their results, in shard order.
          const values = Object.values(await job.getChildrenValues<{ index: number; part: string }>()).sort((x, y) => x.index - y.index);
          if (values.length !== task.count) throw new Error(`step "${task.step}" has ${values.length} shard results, expected ${task.count}`);
          request = { kind: "merge", runId: task.runId, step: task.step, parts: values.map((v) => v.part) };
        } else request = { kind: "step", runId: task.runId, step: task.step };
        outcome = await pool.run(request, label, (c) => (child = c));
      } finally {
        clearInterval(watchdog);
      }
      if (outcome.type === "crashed") {
        const how = outcome.signal ?? `exit code ${outcome.code}`;
        log(`${label}: its task process ended (${how}) without recording the step`);
        if ((await koan.metadata.getRun(task.runId))?.status === "cancelled") return { cancelled: true };
        throw new Error(`the task process of step "${task.step}" ended (${how}) without recording it`);
      }
      if (outcome.type === "error") {
        log(`${label}: ${outcome.error.code}: ${outcome.error.message}`);
        if (["USAGE", "NOT_FOUND", "RUN_CANCELLED"].includes(outcome.error.code)) {
          await advance(task.runId);
          throw new UnrecoverableError(outcome.error.message);
        }
        throw new Error(outcome.error.message);
      }
      if (outcome.type === "part") {
        log(`${label}: done`);
        return { index: outcome.index, part: outcome.part };
      }
      if (outcome.type === "fan-out") {
        await enqueueShards(open, config, config.prefix, task.runId, task.step, outcome.count);
        log(`${label}: ${outcome.count} shards, each a task; the merge runs when they have all finished`);
        return { shards: outcome.count };
      }
      if (outcome.type === "step") {
        const note = outcome.already ? " (it had already ended in this run)" : outcome.cacheHit ? " (cached)" : "";
        const refused = outcome.error && ["VERSION_MISMATCH", "PIPELINE_FILE_NOT_FOUND", "PIPELINE_CHANGED", "CONFIG_INVALID"].includes(outcome.error.code);
        log(`${label}: ${refused ? "refused" : outcome.status}${note}${outcome.error ? `: ${outcome.error.message}` : ""}`);
      }
      await advance(task.runId);
      return outcome;
    };

    const runSchedule = async (task: Extract<QueueTask, { kind: "schedule" }>): Promise<unknown> => {
      const label = `schedule ${task.schedule}`;
      const outcome = await pool.run({ kind: "schedule", task }, label);
      if (outcome.type === "scheduled") {
        log(`${label}: started run ${outcome.runId} of ${task.pipelinePath}`);
        return { runId: outcome.runId };
      }
      const why = outcome.type === "error" ? `${outcome.error.code}: ${outcome.error.message}` : outcome.type === "crashed" ? `its task process ended (${outcome.signal ?? outcome.code})` : "no run";
      log(`${label}: could not start a run of ${task.pipelinePath}: ${why}`);
      throw new Error(why);
    };

    const { Worker } = await loadCommonJs<typeof import("bullmq")>("bullmq");
    const connection = await workerConnection(config, onRedisError);
    cleanups.push(() => closeConnection(connection));
    const worker = new Worker<QueueTask>(
      open.name,
      async (job) => {
        if (job.data.kind === "schedule") return runSchedule(job.data);
        if (job.data.kind === "step" || job.data.kind === "shard" || job.data.kind === "merge") return runStep(job, job.data);
        throw new Error(`unknown task kind ${(job.data as { kind?: unknown }).kind}`);
      },
      {
        connection,
        prefix: config.prefix,
        name,
        concurrency,
        lockDuration: config.lockDurationMs,
        stalledInterval: config.stalledIntervalMs,
        maxStalledCount: config.maxStalledCount,
        autorun: false,
      },
    );
    worker.on("error", (e) => onRedisError(e));
    worker.on("failed", (job, err) => {
      if (!job || job.data.kind === "schedule") return;
      const task = job.data;
      job
        .getState()
        .then(async (state) => {
          if (state !== "failed") return;
          const what = task.kind === "shard" ? `shard ${task.index + 1} of ${task.count} of step "${task.step}" failed: ` : "";
          log(`${task.runId}/${task.step}: given up after ${job.attemptsMade} deliveries: ${what}${err.message}`);
          await recordLostStep(koan.metadata, task.runId, task.step, `${what}${err.message}`);
          await advance(task.runId);
        })
        .catch((e: unknown) => log(`${task.runId}/${task.step}: could not record it given up: ${messageOf(e)}`));
    });
    cleanups.push(async () => {
      await worker.close(forced);
    });

    // Reconcile: re-enqueue what Redis may have lost (at start, when Redis is back, and every reconcileMs).
    let reconciling: Promise<void> | undefined;
    const reconcile = (): void => {
      reconciling ??= (async () => {
        for (const run of await koan.metadata.runningRuns()) {
          const orchestratorFlavor = (run.stack as { orchestrator?: { flavor?: string } } | null)?.orchestrator?.flavor;
          if (run.pid !== 0 || orchestratorFlavor !== "queue" || stackNameOf(run) !== stackName) continue;
          await advance(run.id, true);
        }
      })()
        .catch((e: unknown) => log(`reconcile failed: ${messageOf(e)}`))
        .finally(() => (reconciling = undefined));
    };
    producer.on("ready", () => {
      if (!redisDown) return;
      redisDown = false;
      log(`Redis at ${redactUri(config.url)} is back; re-enqueueing ready steps from the metadata store`);
      reconcile();
    });
    const timer = setInterval(reconcile, config.reconcileMs);
    timer.unref();
    cleanups.push(async () => {
      clearInterval(timer);
      await reconciling;
    });
    void worker.run().catch((e: unknown) => log(`worker stopped: ${messageOf(e)}`));
    reconcile();
    log(`worker ${name} ready: stack "${stackName}", queue "${open.name}" on ${redactUri(config.url)}, concurrency ${concurrency}, Koan ${KOAN_VERSION}`);

    let closing: Promise<void> | undefined;
    return {
      name,
      queue: open.name,
      close(force = false) {
        forced = forced || force;
        closing ??= cleanup();
        if (force) void pool.close(true);
        return closing;
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
