/**
 * `koan step-run <run> <step>`: run one step of a recorded run in this process (the entry point of every remote
 * executor; see src/runner/step-run.ts). Exit 0 when the step succeeded (or already had), 1 when it failed or was
 * cancelled, 2 for a request that cannot be served (no such run or step, upstream steps not done).
 * @module
 */
import { writeFile } from "node:fs/promises";
import { Koan } from "../../client/client.js";
import { KoanError } from "../../core/errors.js";
import { stepRun, type StepRunOptions } from "../../runner/step-run.js";
import type { RunEvent } from "../../runner/types.js";
import { EXIT, ms, paint, printJson, reportError } from "../output.js";

interface StepRunFlags {
  stack?: string;
  project?: string;
  pipelineFile?: string;
  allowVersionMismatch?: boolean;
  fanOut?: boolean;
  shard?: string;
  parts?: string;
  resultFile?: string;
  json?: boolean;
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * The shards' result hashes of `--parts`: comma-separated, or a JSON array of hashes or of one-field objects
 * (`[{"part": "…"}, …]`, the aggregate of the shard tasks' output parameters Argo hands on), in shard order.
 * @example
 * parseParts(`["${"a".repeat(64)}"]`); // ["aaaa…"]
 */
export function parseParts(text: string): string[] {
  let parts: unknown[];
  if (text.trim().startsWith("[")) {
    try {
      parts = JSON.parse(text) as unknown[];
    } catch {
      throw new KoanError("USAGE", "--parts is neither comma-separated hashes nor a JSON array");
    }
    parts = parts.map((p) => (p !== null && typeof p === "object" && Object.values(p).length === 1 ? Object.values(p)[0] : p));
  } else parts = text.split(",").map((p) => p.trim());
  if (!parts.length || parts.some((p) => typeof p !== "string" || !HASH.test(p))) {
    throw new KoanError("USAGE", "--parts takes the shards' result hashes (64 hex digits) in shard order: comma-separated, or a JSON array of them or of {\"part\": hash} objects");
  }
  return parts as string[];
}

/** The `shards` option from `--fan-out`, `--shard i/n` or `--parts h1,h2,...` (at most one). */
function shardsFlag(flags: StepRunFlags): StepRunOptions["shards"] {
  const given = [flags.fanOut, flags.shard, flags.parts].filter((x) => x !== undefined && x !== false);
  if (given.length > 1) throw new KoanError("USAGE", "give at most one of --fan-out, --shard and --parts");
  if (flags.fanOut) return "fan-out";
  if (flags.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flags.shard);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || index >= count) throw new KoanError("USAGE", `--shard "${flags.shard}" is not <index>/<count> with index < count (0-based), e.g. --shard 0/4`);
    return { shard: { index, count } };
  }
  if (flags.parts !== undefined) return { parts: parseParts(flags.parts) };
  return undefined;
}

/** Run the command; resolves to the exit code. */
export default async function stepRunCommand(runRef: string, step: string, flags: StepRunFlags): Promise<number> {
  const json = Boolean(flags.json);
  const shards = shardsFlag(flags);
  if (flags.resultFile !== undefined && !flags.fanOut && flags.shard === undefined) throw new KoanError("USAGE", "--result-file goes with --fan-out or --shard");
  // Remote jobs name the stack in KOAN_STACK (src/backends/job.ts); --stack wins.
  const stack = flags.stack ?? (process.env.KOAN_STACK || undefined);
  const koan = await Koan.open({ ...(flags.project ? { dir: flags.project } : {}), ...(stack ? { stack } : {}) });
  const controller = new AbortController();
  const stop = (): void => {
    if (!json) process.stderr.write(`\ncancelling step "${step}"\n`);
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const say = (line: string): void => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const onEvent = (e: RunEvent): void => {
    if (e.type === "step-started") say(`${step}: started (attempt ${e.attempt})`);
    else if (e.type === "step-retrying") say(`${step}: attempt ${e.attempt - 1} failed (${e.error}); retrying`);
  };
  try {
    const r = await stepRun({ koan, run: runRef, step, signal: controller.signal, onEvent, ...(flags.pipelineFile ? { pipelineFile: flags.pipelineFile } : {}), ...(flags.allowVersionMismatch ? { allowVersionMismatch: true } : {}), ...(shards ? { shards } : {}) });
    // For engines that read a task's outputs from files (Argo's outputs.parameters valueFrom.path).
    if (flags.resultFile !== undefined && (r.status === "succeeded" || r.status === "fan-out")) await writeFile(flags.resultFile, r.part ?? String(r.shardCount ?? 0));
    if (json) {
      printJson({
        runId: r.runId,
        step: r.step,
        status: r.status,
        stepRunId: r.stepRunId ?? null,
        ...(r.shardCount !== undefined ? { shardCount: r.shardCount } : {}),
        ...(r.part !== undefined ? { part: r.part } : {}),
        already: r.already,
        cacheHit: r.cacheHit,
        outputs: Object.fromEntries(Object.entries(r.outputs).map(([port, a]) => [port, a.id])),
        ...(r.error ? { error: r.error.toJSON() } : {}),
      });
    } else if (r.status === "fan-out") {
      process.stdout.write(`${r.shardCount}\n`);
      process.stderr.write(`step "${r.step}" splits into ${r.shardCount} shards: run --shard <i>/${r.shardCount} for each, then --parts <their hashes>\n`);
    } else if (r.part !== undefined) {
      process.stdout.write(`${r.part}\n`);
    } else {
      const colour = r.status === "succeeded" ? "green" : r.status === "cancelled" ? "yellow" : "red";
      const record = r.stepRunId ? await koan.metadata.getStepRun(r.stepRunId) : undefined;
      const how = r.already ? " (it had already succeeded in this run)" : r.cacheHit ? " (cached)" : record?.durationMs != null ? ` in ${ms(record.durationMs)}` : "";
      process.stderr.write(`${paint(colour, r.status, process.stderr)} step "${r.step}" of run ${r.runId}${how}\n`);
      if (r.error) reportError(r.error, false);
    }
    return r.status === "succeeded" || r.status === "fan-out" ? EXIT.ok : EXIT.failed;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await koan.close();
  }
}
