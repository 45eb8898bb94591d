/**
 * The command lines of a shardable step's three Argo tasks, each one `koan step-run` (src/runner/step-run.ts): the
 * fan-out (`--fan-out`: runs the step unless it splits into several shards, and writes the shard count, 0 when it
 * ran the step, to {@link SHARDS_FILE}), one shard (`--shard <i>/<n>`: writes the hash of its partial result to
 * {@link PART_FILE}), and the merge (`--parts`: Argo's aggregate of the shard pods' output parameters, a JSON list
 * in shard order, which `--parts` reads as it is). The files are the tasks' output parameters (`valueFrom.path`).
 * @module
 */

/** Where the fan-out task writes the shard count (its output parameter `shards`). */
export const SHARDS_FILE = "/tmp/koan-shards";
/** Where a shard task writes its result's hash (its output parameter `part`). */
export const PART_FILE = "/tmp/koan-part";

/** The fan-out task's command: runs the step, or writes its shard count (see the module description). */
export function fanOutCommand(runRef: string, step: string): string[] {
  return ["koan", "step-run", runRef, step, "--fan-out", "--result-file", SHARDS_FILE];
}

/** A shard task's command; `shardRef` is `<index>/<count>`. */
export function shardCommand(runRef: string, step: string, shardRef: string): string[] {
  return ["koan", "step-run", runRef, step, "--shard", shardRef, "--result-file", PART_FILE];
}

/** The merge task's command; `partsRef` is Argo's aggregate of the shard tasks' output parameters. */
export function mergeCommand(runRef: string, step: string, partsRef: string): string[] {
  return ["koan", "step-run", runRef, step, "--parts", partsRef];
}
