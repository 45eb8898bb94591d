/**
 * Relaying a remote job's log into the step's log while the job is followed: each read hands the lines the
 * backend has not returned before to `onLog` (the run turns them into `step-log` events and keeps them with the
 * step run it records). Reading the log is a nicety, never a reason to fail the step: a refusal (missing
 * permission, `CONFIG_INVALID`) gives one warning naming it and stops the reads; any other error gives one warning
 * and the next poll tries again.
 * @module
 */
import { KoanError, messageOf } from "../core/errors.js";
import { sleep } from "../core/sleep.js";
import type { JobHandle, StepBackend } from "./types.js";

/** Where the relayed lines and warnings go. */
export interface LogRelayOptions {
  /** The job, for warnings (`vertex job koan-train-...`). */
  where: string;
  onLog?: ((line: string) => void) | undefined;
  onWarning?: ((line: string) => void) | undefined;
}

/** A job's log relay; `read()` never throws. */
export interface LogRelay {
  read(): Promise<void>;
  /** Keep reading every `everyMs` for `ms` more (after the job ended; stops early when `signal` aborts). */
  settle(ms: number, everyMs: number, signal: AbortSignal): Promise<void>;
}

/** A relay reading `handle`'s log from `backend` (a backend without `logs`, or no `onLog`, relays nothing). */
export function logRelay(backend: StepBackend, handle: JobHandle, options: LogRelayOptions): LogRelay {
  let off = !backend.logs || !options.onLog;
  let warned = false;
  return {
    async settle(ms, everyMs, signal) {
      const until = Date.now() + ms;
      while (!off && !signal.aborted && Date.now() < until) {
        await sleep(Math.max(1, Math.min(everyMs, until - Date.now())), signal);
        await this.read();
      }
    },
    async read() {
      if (off || !backend.logs || !options.onLog) return;
      let lines: string[];
      try {
        lines = await backend.logs(handle);
      } catch (e) {
        const refused = e instanceof KoanError && e.code === "CONFIG_INVALID";
        const hint = e instanceof KoanError && e.hint ? ` (${e.hint})` : "";
        if (refused) {
          off = true;
          options.onWarning?.(`cannot read the log of ${options.where}: ${messageOf(e)}${hint}; following its state only`);
        } else if (!warned) {
          options.onWarning?.(`reading the log of ${options.where} failed: ${messageOf(e)}; trying again on the next polls`);
        }
        warned = true;
        return;
      }
      for (const line of lines) options.onLog(line);
    },
  };
}
