/**
 * The DAG tasks of a pipeline's Argo Workflow, by step: one task per step, and for a shardable step two more — the
 * fan-out over its shards and the merge — with names that are DNS-1123 labels, unique in the Workflow (each task
 * runs the template of the same name). Shared by the export (src/export/argo.ts) and the `kubernetes`
 * orchestrator, which maps the Workflow's pods back to steps with {@link templateSteps}.
 * @module
 */
import type { Pipeline } from "../core/pipeline.js";
import { dnsName } from "../serving/deploy/container.js";
import { shardsOf } from "../shards/define.js";

/** Name of the task recording the run (standalone shape). */
export const BEGIN_TASK = "koan-begin";
/** Name of the exit handler's template (standalone shape). */
export const END_TEMPLATE = "koan-end";
/** Name of the DAG template (the Workflow's entrypoint). */
export const DAG_TEMPLATE = "koan";
/** Suffix of a shardable step's fan-out task (one pod per shard). */
export const SHARD_SUFFIX = "-shard";
/** Suffix of a shardable step's merge task. */
export const MERGE_SUFFIX = "-merge";

/** The tasks of one step. */
export interface StepTasks {
  /**
   * The step's task. For a shardable step it runs `koan step-run --fan-out`: it records the step itself unless the
   * step splits into several shards, and outputs how many (0 when it ran the step).
   */
  task: string;
  /** Shardable steps: the task computing one shard per pod (`withSequence` over the fan-out's count). */
  shard?: string;
  /** Shardable steps: the task merging the shards' results, which records the step. */
  merge?: string;
}

/** What a template runs for its step. */
export type TaskRole = "step" | "shard" | "merge";

/** The tasks of every step, in pipeline order (see the module description). */
export function stepTasks(pipeline: Pipeline): Map<string, StepTasks> {
  const used = new Set<string>([BEGIN_TASK, END_TEMPLATE, DAG_TEMPLATE]);
  const out = new Map<string, StepTasks>();
  for (const n of pipeline.order) {
    const node = pipeline.node(n);
    const sharded = node !== undefined && shardsOf(node.step) !== undefined;
    // Room for "-<i>" and the suffix within 63 characters.
    const base = dnsName(n).slice(0, sharded ? 63 - 3 - SHARD_SUFFIX.length : 57);
    const names = (task: string): string[] => (sharded ? [task, `${task}${SHARD_SUFFIX}`, `${task}${MERGE_SUFFIX}`] : [task]);
    let task = base;
    for (let i = 2; names(task).some((x) => used.has(x)); i++) task = `${base}-${i}`;
    for (const x of names(task)) used.add(x);
    out.set(n, sharded ? { task, shard: `${task}${SHARD_SUFFIX}`, merge: `${task}${MERGE_SUFFIX}` } : { task });
  }
  return out;
}

/** The step's own task name, by step (a shardable step's fan-out task). */
export function taskNames(pipeline: Pipeline): Map<string, string> {
  return new Map([...stepTasks(pipeline)].map(([step, t]) => [step, t.task]));
}

/** The task downstream steps depend on: a shardable step's merge task, else the step's task. */
export function finalTask(tasks: StepTasks): string {
  return tasks.merge ?? tasks.task;
}

/** Which step, and which part of it, each template of the Workflow runs. */
export function templateSteps(pipeline: Pipeline): Map<string, { step: string; role: TaskRole }> {
  const out = new Map<string, { step: string; role: TaskRole }>();
  for (const [step, t] of stepTasks(pipeline)) {
    out.set(t.task, { step, role: "step" });
    if (t.shard) out.set(t.shard, { step, role: "shard" });
    if (t.merge) out.set(t.merge, { step, role: "merge" });
  }
  return out;
}
