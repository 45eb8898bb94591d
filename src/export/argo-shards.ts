/**
 * The command lines of a shardable step's three Argo tasks, around `koan step-run` (src/runner/step-run.ts): the
 * fan-out (`--fan-out`: runs the step unless it splits into several shards, and writes the shard count, 0 when it
 * ran the step, to {@link SHARDS_FILE}), one shard (`--shard <i>/<n>`: writes the hash of its partial result to
 * {@link PART_FILE}), and the merge (`--parts <hashes>`: from Argo's aggregate of the shard pods' outputs, a
 * JSON list in shard order, which it turns into the comma-separated hashes `--parts` takes). Each is a short POSIX
 * `sh` script (every Node base image has one) that prints `koan step-run`'s answer to the pod's log and fails with
 * its exit code.
 * @module
 */

/** Where the fan-out task writes the shard count (its output parameter `shards`). */
export const SHARDS_FILE = "/tmp/koan-shards";
/** Where a shard task writes its result's hash (its output parameter `part`). */
export const PART_FILE = "/tmp/koan-part";

/**
 * `sh -c CAPTURE koan <field> <file> <default> <step-run args...>`: run `koan step-run <args> --json`, print its
 * answer, fail with its exit code, else write the answer's `field` (or `default`) to `file`. The answer is
 * `printJson`'s (two-space indented), read after anything the step itself printed.
 */
const CAPTURE = [
  'field=$1; file=$2; fallback=$3; shift 3',
  'out=$(koan step-run "$@" --json); code=$?',
  'printf "%s\\n" "$out"',
  '[ "$code" -eq 0 ] || exit "$code"',
  'value=$(printf "%s\\n" "$out" | sed -n "s/^  \\"$field\\": \\"\\{0,1\\}\\([0-9a-f]*\\)\\"\\{0,1\\},\\{0,1\\}\\$/\\1/p" | tail -n 1)',
  'printf "%s" "${value:-$fallback}" > "$file"',
].join("\n");

/** `sh -c MERGE koan <run> <step> <aggregate>`: the 64-hex-digit hashes of the aggregate, in order, as `--parts`. */
const MERGE = ['parts=$(printf "%s" "$3" | grep -o "[0-9a-f]\\{64\\}" | tr "\\n" ",")', 'exec koan step-run "$1" "$2" --parts "${parts%,}"'].join("\n");

/** The fan-out task's command: runs the step, or writes its shard count (see the module description). */
export function fanOutCommand(runRef: string, step: string): string[] {
  return ["sh", "-c", CAPTURE, "koan", "shardCount", SHARDS_FILE, "0", runRef, step, "--fan-out"];
}

/** A shard task's command; `shardRef` is `<index>/<count>`. */
export function shardCommand(runRef: string, step: string, shardRef: string): string[] {
  return ["sh", "-c", CAPTURE, "koan", "part", PART_FILE, "", runRef, step, "--shard", shardRef];
}

/** The merge task's command; `partsRef` is Argo's aggregate of the shard tasks' output parameters. */
export function mergeCommand(runRef: string, step: string, partsRef: string): string[] {
  return ["sh", "-c", MERGE, "koan", runRef, step, partsRef];
}
