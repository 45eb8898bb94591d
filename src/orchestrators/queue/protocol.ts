/** Messages between a queue worker and the task process that executes its tasks. @module */
import type { StoredError } from "../../stores/metadata/types.js";
import type { ScheduleTask } from "./tasks.js";

/** What the worker asks a task process to do (one request at a time). */
export type TaskRequest =
  /** Run a step (a shardable one with several shards answers `fan-out` instead). */
  | { kind: "step"; runId: string; step: string }
  /** Compute one shard of a shardable step. */
  | { kind: "shard"; runId: string; step: string; index: number; count: number }
  /** Run a shardable step by merging its shards' partial results (blob hashes, in shard order). */
  | { kind: "merge"; runId: string; step: string; parts: string[] }
  | { kind: "schedule"; task: ScheduleTask };

/** What a task process answers. */
export type TaskReply =
  /** The process has loaded Koan and opened the stack: it can take a request at once. */
  | { type: "ready" }
  /** A step ended (or had already ended) in its run. */
  | { type: "step"; status: "succeeded" | "failed" | "cancelled"; already: boolean; cacheHit: boolean; stepRunId: string | null; error: StoredError | null }
  /** A shardable step splits into `count` shard tasks. */
  | { type: "fan-out"; count: number }
  /** A shard's partial result was stored. */
  | { type: "part"; index: number; part: string }
  /** A schedule started a run. */
  | { type: "scheduled"; runId: string }
  /** The request could not be served (nothing was recorded). */
  | { type: "error"; error: StoredError };
