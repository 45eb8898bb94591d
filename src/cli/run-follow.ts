/**
 * `koan runs show <run> --follow`: after the run's state as it is now, each step's status change as one plain line
 * (time, step, status, cache hit or miss, duration; errors), read from the metadata store every
 * {@link FOLLOW_POLL_MS} — so it follows a run any process or machine executes (a detached queue run, a local run
 * in another terminal, a workflow engine's). With `--logs`, step log lines as they are written. Returns when the
 * run ends: exit 0 when it succeeded, 1 when it failed, was cancelled or interrupted; Ctrl-C stops following (not
 * the run) with 130. The last line says how the run ended. With `--json`: one JSON object per line —
 * `{"type":"run",...}` (the state), then events (`step-started`, `step-finished`, `step-log`, each with `at`),
 * then the final `{"type":"run",...}`.
 * @module
 */
import { Koan } from "../client/client.js";
import { followRun, ownerGone } from "../orchestrators/follow.js";
import type { RunEvent } from "../runner/types.js";
import type { RunRecord, StepRunRecord } from "../stores/metadata/types.js";
import { StepLogTail } from "./log-tail.js";
import { EXIT, ms, paint } from "./output.js";

/** How often the metadata store is read while following (ms). */
export const FOLLOW_POLL_MS = 500;

/** Options of {@link followCommand}. */
export interface FollowCommandOptions {
  json: boolean;
  logs: boolean;
  /** Print the run's state as it is now: as text, or (with `json`) as one `{"type":"run",...}` line (also the last line). */
  printState: () => Promise<void>;
}

/** The exit code of a run that has ended. */
export function runExitCode(run: RunRecord): number {
  return run.status === "succeeded" ? EXIT.ok : EXIT.failed;
}

const COLOURS = { succeeded: "green", failed: "red", running: "cyan" } as const;

function status(s: string): string {
  return paint(COLOURS[s as keyof typeof COLOURS] ?? "yellow", s);
}

/** One plain line of an event, or undefined for events that have none. */
export function eventLine(e: RunEvent, at = new Date()): string | undefined {
  const time = paint("dim", at.toISOString().slice(11, 19));
  if (e.type === "step-started") return `${time}  ${e.step}  ${status("running")}${e.attempt > 1 ? `  attempt ${e.attempt}` : ""}`;
  if (e.type === "step-finished") {
    // A step that never ran here (skipped, or its process died) has no cache outcome or duration to tell.
    const ran = e.status !== "skipped" && e.status !== "interrupted";
    const cache = ran ? (e.cacheHit ? "  cache hit" : "  cache miss") : "";
    const duration = ran ? `  ${ms(e.durationMs)}` : "";
    return `${time}  ${e.step}  ${status(e.status)}${cache}${duration}${e.error ? `  ${e.error}` : ""}`;
  }
  if (e.type === "step-log") return `${time}  ${paint("dim", `[${e.step}]`)} ${e.line}`;
  return undefined;
}

/** Follow run `run` (see the module description); `steps` are the step runs its state showed. Resolves to the exit code. */
export async function followCommand(koan: Koan, run: RunRecord, steps: readonly StepRunRecord[], options: FollowCommandOptions): Promise<number> {
  // Ctrl-C is handled from before anything is printed: one right after the state (or the line telling of Ctrl-C)
  // stops following, it does not kill the process.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on("SIGINT", stop);
  try {
    await options.printState();
    if (run.status !== "running") return runExitCode(run);
    return await follow(koan, run, steps, options, controller.signal);
  } finally {
    process.off("SIGINT", stop);
  }
}

/** The follow itself, once Ctrl-C is handled (`signal` aborts when it comes). */
async function follow(koan: Koan, run: RunRecord, steps: readonly StepRunRecord[], options: FollowCommandOptions, signal: AbortSignal): Promise<number> {
  if (!options.json) process.stderr.write(`following run ${run.id} (Ctrl-C stops following; the run goes on)\n`);
  const print = (e: RunEvent): void => {
    if (options.json) process.stdout.write(`${JSON.stringify({ ...e, at: new Date().toISOString() })}\n`);
    else {
      const line = eventLine(e);
      if (line) process.stdout.write(`${line}\n`);
    }
  };
  const tail = options.logs ? new StepLogTail(koan, (step, line) => print({ type: "step-log", runId: run.id, step, line })) : undefined;
  // Events wait for the poll's log lines, so a step's last lines come before the line saying it ended.
  const pending: RunEvent[] = [];
  const flush = async (records: readonly StepRunRecord[]): Promise<void> => {
    await tail?.poll(records);
    for (const e of pending.splice(0)) {
      const record = e.type === "step-finished" ? records.find((r) => r.step === e.step && r.status !== "running") : undefined;
      if (record) await tail?.finish(record);
      print(e);
    }
  };
  let marked = false;
  const last = await followRun(koan.metadata, run.id, {
    pollMs: FOLLOW_POLL_MS,
    signal,
    seen: steps,
    onEvent: (e) => void pending.push(e),
    onPoll: async (current, records) => {
      await flush(records);
      // Its process died on this machine: opening the project records it interrupted (next read ends the follow).
      if (!marked && ownerGone(current)) {
        marked = true;
        await (await Koan.open({ dir: koan.project.dir, stack: koan.stack.name })).close();
      }
    },
  });
  await flush(await koan.metadata.listStepRuns(run.id));
  if (signal.aborted && last.status === "running") {
    if (!options.json) process.stderr.write(`stopped following run ${run.id}; it goes on (stop it: koan runs cancel ${run.id})\n`);
    return EXIT.interrupted;
  }
  if (options.json) await options.printState();
  else {
    const took = last.endedAt ? ` in ${ms(Date.parse(last.endedAt) - Date.parse(last.startedAt))}` : "";
    process.stdout.write(`run ${last.id} ${status(last.status)}${took}${last.error ? `: ${last.error.message}` : ""}
`);
  }
  return runExitCode(last);
}
