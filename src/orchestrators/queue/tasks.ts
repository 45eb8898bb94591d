/**
 * What the queue carries: one BullMQ job per step of a run (id `<run>.<step>`, so enqueueing a step twice adds it
 * once); for a shardable step with several shards, a flow of one shard job per shard under a merge job that runs
 * when they have all finished; and the jobs of schedules, which start a run of a pipeline file.
 * @module
 */

/** Run one step of a run (`koan step-run` on a worker). */
export interface StepTask {
  kind: "step";
  runId: string;
  step: string;
  /** Koan version of the process that enqueued it. */
  koan: string;
  /** When it was enqueued (epoch ms), for dispatch latency. */
  enqueuedAt: number;
}

/** Compute one shard of a shardable step (a child of the step's merge task). */
export interface ShardTask {
  kind: "shard";
  runId: string;
  step: string;
  index: number;
  count: number;
  koan: string;
  enqueuedAt: number;
}

/** Run a shardable step by merging its shards (runs when every shard task has finished). */
export interface MergeTask {
  kind: "merge";
  runId: string;
  step: string;
  count: number;
  koan: string;
  enqueuedAt: number;
}

/** Start a run of a pipeline file (a schedule fired). */
export interface ScheduleTask {
  kind: "schedule";
  /** The schedule's name. */
  schedule: string;
  /** The pipeline file, relative to the project. */
  pipelinePath: string;
  /** `--param step.key=value` flags. */
  params: string[];
  /** Recompute every step (default false: reuse cached results). */
  noCache?: boolean;
  koan: string;
}

/** A job's data. */
export type QueueTask = StepTask | ShardTask | MergeTask | ScheduleTask;

/** The BullMQ job name of each kind. */
export const JOB_NAMES = { step: "step", shard: "shard", merge: "merge", schedule: "schedule" } as const;

/** The job id of a step of a run (BullMQ ids may not contain ":"; run ids and step names hold no "."). */
export function stepJobId(runId: string, step: string): string {
  return `${runId}.${step}`;
}

/** The job id of the merge task of a shardable step. */
export function mergeJobId(runId: string, step: string): string {
  return `${runId}.${step}.merge`;
}

/** The job id of one shard task. */
export function shardJobId(runId: string, step: string, index: number): string {
  return `${runId}.${step}.shard-${index}`;
}
