/**
 * Following a submitted job to its end: poll its state (and relay its log, see {@link logRelay}) until it
 * succeeds, fails or is cancelled; the log is read once more after the job's end, and on for the backend's
 * `logSettleMs` when its log store ingests with a delay, so its tail is not lost;
 * cancel it when the run is cancelled (Ctrl-C, `koan runs cancel`); give up — cancelling it — when it has not
 * started within the start timeout, naming the job's last event. Every end becomes one {@link JobOutcome}.
 * @module
 */
import { KoanError, messageOf } from "../core/errors.js";
import { logRelay } from "./log-relay.js";
import type { JobFailureReason, JobHandle, JobStatus, StepBackend } from "./types.js";
import { sleep } from "../core/sleep.js";

/** How a followed job ended. */
export type JobOutcome =
  | { kind: "succeeded"; lastEvent?: string }
  | { kind: "failed"; reason: JobFailureReason; error: KoanError }
  | { kind: "cancelled"; error: KoanError }
  | { kind: "never-started"; error: KoanError };

/** Options of {@link followJob}. */
export interface FollowOptions {
  /** The step, for messages. */
  step: string;
  /** Aborted when the run is cancelled: the job is cancelled too. */
  signal: AbortSignal;
  pollMs: number;
  /** How long the job may stay queued. */
  startTimeoutMs: number;
  /** Consecutive failed status reads tolerated before giving up (default 5). */
  maxReadErrors?: number;
  onStatus?: (status: JobStatus) => void;
  /** Each new line of the job's log (backends with log access). */
  onLog?: (line: string) => void;
  /** A problem worth a line in the step's log that does not fail the step (e.g. no permission to read the job's log). */
  onWarning?: (line: string) => void;
  /** The clock (ms). */
  now?: () => number;
}

const HINTS: Record<JobFailureReason, string> = {
  error: "the step's own log is in its step run (koan runs show <run>); the platform's log has the rest",
  quota: "a quota or capacity limit refused the job: raise the quota, pick another region/zone or machine, or ask for fewer GPUs",
  "image-pull": "the image could not be pulled: push it (koan build prints the commands) and check the job's service account may read the registry",
  deadline: "the job passed its deadline (the step's timeoutMs × attempts, plus start-up time)",
  config: "the platform refused the job's definition: check the backend's config (machine type, accelerator, Secret, service account)",
};

/** Cancel a job, never throwing (the outcome is already decided). */
async function cancelQuietly(backend: StepBackend, handle: JobHandle): Promise<string | undefined> {
  try {
    await backend.cancel(handle);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

/** Follow `handle` until it ends; see the module description. */
export async function followJob(backend: StepBackend, handle: JobHandle, options: FollowOptions): Promise<JobOutcome> {
  const now = options.now ?? Date.now;
  const submittedAt = now();
  const maxErrors = options.maxReadErrors ?? 5;
  const where = `${backend.flavor} job ${handle.name}`;
  let started = false;
  let lastEvent: string | undefined;
  let readErrors = 0;
  const relay = logRelay(backend, handle, { where, onLog: options.onLog, onWarning: options.onWarning });
  for (;;) {
    if (options.signal.aborted) {
      const problem = await cancelQuietly(backend, handle);
      return {
        kind: "cancelled",
        error: new KoanError("RUN_CANCELLED", `step "${options.step}" was cancelled; ${problem ? `cancelling ${where} failed: ${problem}` : `${where} was cancelled`}`, {
          ...(problem ? { hint: `cancel it by hand (job id ${handle.id})` } : {}),
          details: { job: handle.id },
        }),
      };
    }
    let status: JobStatus;
    try {
      status = await backend.status(handle);
      readErrors = 0;
    } catch (e) {
      if (++readErrors >= maxErrors || (e instanceof KoanError && e.code === "CONFIG_INVALID")) {
        return {
          kind: "failed",
          reason: "error",
          error: new KoanError("STEP_FAILED", `lost track of ${where} (step "${options.step}"): ${messageOf(e)}`, {
            hint: `the job may still be running: check it on the platform (job id ${handle.id})`,
            details: { job: handle.id },
          }),
        };
      }
      await sleep(options.pollMs, options.signal);
      continue;
    }
    if (status.lastEvent) lastEvent = status.lastEvent;
    // A running job's state comes before its new lines; an ended job's last lines (the final read) before its end.
    const ended = status.phase !== "queued" && status.phase !== "running";
    if (!ended) options.onStatus?.(status);
    if (status.phase !== "queued") await relay.read();
    if (ended && status.phase !== "queued") await relay.settle(backend.logSettleMs ?? 0, Math.min(options.pollMs, 2000), options.signal);
    if (ended) options.onStatus?.(status);
    switch (status.phase) {
      case "succeeded":
        return { kind: "succeeded", ...(lastEvent ? { lastEvent } : {}) };
      case "failed": {
        const reason = status.error?.reason ?? "error";
        const problem = status.stuck ? await cancelQuietly(backend, handle) : undefined;
        const code = reason === "deadline" ? "STEP_TIMEOUT" : "STEP_FAILED";
        return {
          kind: "failed",
          reason,
          error: new KoanError(code, `${where} failed${reason === "error" ? "" : ` (${reason})`}: ${status.error?.message ?? "no reason given"}`, {
            hint: `${HINTS[reason]}${status.stuck ? (problem ? `; removing the stuck job failed (${problem}): remove it by hand` : "; the stuck job was removed") : ""}`,
            details: { job: handle.id, reason },
          }),
        };
      }
      case "cancelled":
        return { kind: "cancelled", error: new KoanError("RUN_CANCELLED", `${where} was cancelled outside Koan${lastEvent ? ` (${lastEvent})` : ""}`, { details: { job: handle.id } }) };
      case "running":
        started = true;
        break;
      case "queued":
        if (!started && now() - submittedAt >= options.startTimeoutMs) {
          const problem = await cancelQuietly(backend, handle);
          return {
            kind: "never-started",
            error: new KoanError("STEP_TIMEOUT", `${where} did not start within ${Math.round(options.startTimeoutMs / 1000)} s; its last event: ${lastEvent ?? "none"}`, {
              hint: `${problem ? `cancelling it failed (${problem}): cancel it by hand. ` : "it was cancelled. "}Check capacity and quotas for the machine and accelerators asked for, or raise the backend's startTimeoutMs`,
              details: { job: handle.id, ...(lastEvent ? { lastEvent } : {}) },
            }),
          };
        }
        break;
    }
    await sleep(options.pollMs, options.signal);
  }
}
