/**
 * The BullMQ queue of a stack, for enqueueing: steps are added with the job id `<run>.<step>`, so a step enqueued
 * twice (two workers finishing its inputs at once, a reconcile after Redis restarted) is added once.
 * @module
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { KOAN_VERSION } from "../../version.js";
import { queueNameOf, type QueueConfig } from "./config.js";
import { closeConnection, producerConnection, unreachable } from "./redis.js";
import { JOB_NAMES, mergeJobId, shardJobId, stepJobId, type MergeTask, type QueueTask, type ShardTask, type StepTask } from "./tasks.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** An open queue and its connection. */
export interface OpenQueue {
  readonly queue: Queue<QueueTask>;
  readonly name: string;
  /** Its Redis connection. */
  readonly connection: Redis;
  close(): Promise<void>;
}

/** Options of every step job: retries when the worker process dies without recording the step, kept a while for dedup. */
export function stepJobOptions(config: QueueConfig, jobId: string) {
  return {
    jobId,
    attempts: config.attempts,
    backoff: { type: "exponential" as const, delay: config.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** Open the stack's queue on a fail-fast connection (`ORCHESTRATOR_UNAVAILABLE` when Redis does not answer). */
export async function openQueue(config: QueueConfig, stack: string, connection?: Redis): Promise<OpenQueue> {
  const own = connection ? undefined : await producerConnection(config);
  const { Queue: BullQueue } = await loadCommonJs<typeof import("bullmq")>("bullmq");
  const name = queueNameOf(config, stack);
  const queue = new BullQueue<QueueTask>(name, { connection: (connection ?? own) as Redis, prefix: config.prefix });
  queue.on("error", () => undefined);
  return {
    queue,
    name,
    connection: (connection ?? own) as Redis,
    async close() {
      await queue.close().catch(() => undefined);
      if (own) await closeConnection(own);
    },
  };
}

/** What {@link ensureStepQueued} found or did. */
export type QueuedState = { kind: "added" } | { kind: "queued" } | { kind: "given-up"; reason: string };

/**
 * Make sure step `step` of run `runId` is queued once: nothing when its job waits or runs; a completed job of the
 * same id (kept for dedup) is replaced; a job that failed for good (its task processes kept dying) is reported
 * `given-up` rather than retried for ever.
 */
export async function ensureStepQueued(open: OpenQueue, config: QueueConfig, runId: string, step: string): Promise<QueuedState> {
  const id = stepJobId(runId, step);
  try {
    // A shardable step fanned out: its merge job stands for it until it has finished.
    const merge = await open.queue.getJob(mergeJobId(runId, step));
    if (merge) {
      const state = await merge.getState();
      if (state === "failed") return { kind: "given-up", reason: merge.failedReason || "a shard task failed" };
      if (state !== "completed" && state !== "unknown") return { kind: "queued" };
      await merge.remove().catch(() => undefined);
    }
    const existing = await open.queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === "failed") return { kind: "given-up", reason: existing.failedReason || "its task failed" };
      if (state !== "completed" && state !== "unknown") return { kind: "queued" };
      await existing.remove().catch(() => undefined);
    }
    const task: StepTask = { kind: "step", runId, step, koan: KOAN_VERSION, enqueuedAt: Date.now() };
    await open.queue.add(JOB_NAMES.step, task, stepJobOptions(config, id));
    return { kind: "added" };
  } catch (e) {
    throw unreachable(config, e);
  }
}

/**
 * Fan a shardable step out: one shard job per shard, as children of the step's merge job, which BullMQ runs when
 * every shard job has finished (a shard that fails for good fails the merge job, and the step is recorded failed).
 */
export async function enqueueShards(open: OpenQueue, config: QueueConfig, prefix: string, runId: string, step: string, count: number): Promise<void> {
  const { FlowProducer } = await loadCommonJs<typeof import("bullmq")>("bullmq");
  const flows = new FlowProducer({ connection: open.connection, prefix });
  flows.on("error", () => undefined);
  try {
    const now = Date.now();
    const merge: MergeTask = { kind: "merge", runId, step, count, koan: KOAN_VERSION, enqueuedAt: now };
    await flows.add({
      name: JOB_NAMES.merge,
      queueName: open.name,
      data: merge,
      opts: { ...stepJobOptions(config, mergeJobId(runId, step)) },
      children: Array.from({ length: count }, (_, index) => {
        const shard: ShardTask = { kind: "shard", runId, step, index, count, koan: KOAN_VERSION, enqueuedAt: now };
        return { name: JOB_NAMES.shard, queueName: open.name, data: shard, opts: { ...stepJobOptions(config, shardJobId(runId, step, index)), failParentOnFailure: true } };
      }),
    });
  } finally {
    await flows.close().catch(() => undefined);
  }
}
