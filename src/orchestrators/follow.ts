/**
 * Following a run that executes elsewhere (queue workers, a remote engine, another process: `koan runs show
 * --follow`) from the metadata store: step runs appearing and ending become progress events, until the run record
 * says the run ended.
 * @module
 */
import { hostname } from "node:os";
import type { RunEvent } from "../runner/types.js";
import type { MetadataStore, RunRecord, StepRunRecord } from "../stores/metadata/types.js";
import { processAlive } from "../core/process.js";
import { sleep } from "../core/sleep.js";

/** Options of {@link followRun}. */
export interface FollowOptions {
  /** How often the store is read (ms). */
  pollMs: number;
  onEvent: (event: RunEvent) => void;
  /** Called after each read with the run and its step runs (e.g. to advance it); errors end the follow. */
  onPoll?: (run: RunRecord, steps: readonly StepRunRecord[]) => Promise<void>;
  /** Stop following (resolves with the run as last read). */
  signal?: AbortSignal;
  /** Step runs already reported (e.g. printed as the run's state): their start, and their end if they had ended, are not reported again. */
  seen?: readonly StepRunRecord[];
}

/**
 * True when `run` is still recorded `running` but belongs to a process of this machine that no longer exists, so
 * nothing will finish it (the next `Koan.open` records it `interrupted`). Runs no process owns (`pid` 0, run by
 * workers or an engine) and runs of other machines are never judged so.
 */
export function ownerGone(run: RunRecord): boolean {
  if (run.status !== "running" || run.pid <= 0 || run.host !== hostname() || run.pid === process.pid) return false;
  return !processAlive(run.pid);
}

/** Follow run `runId` until it is no longer `running` (or `signal` aborts); resolves with its last record. */
export async function followRun(metadata: MetadataStore, runId: string, options: FollowOptions): Promise<RunRecord> {
  const started = new Set<string>((options.seen ?? []).map((s) => s.id));
  const ended = new Set<string>((options.seen ?? []).filter((s) => s.status !== "running").map((s) => s.id));
  for (;;) {
    const run = await metadata.getRun(runId);
    if (!run) throw new Error(`run ${runId} disappeared from the metadata store`);
    const steps = await metadata.listStepRuns(runId);
    // This read's changes, in the order they happened.
    const events: { at: string; event: RunEvent }[] = [];
    for (const s of steps) {
      if (!started.has(s.id) && s.status !== "skipped") {
        started.add(s.id);
        events.push({ at: s.startedAt ?? "", event: { type: "step-started", runId, step: s.step, attempt: Math.max(1, s.attempts) } });
      }
      if (s.status !== "running" && !ended.has(s.id)) {
        ended.add(s.id);
        const event: RunEvent = { type: "step-finished", runId, step: s.step, status: s.status, cacheHit: s.cacheHit, durationMs: s.durationMs ?? 0, ...(s.error ? { error: s.error.message } : {}) };
        events.push({ at: s.endedAt ?? s.startedAt ?? "", event });
      }
    }
    for (const e of events.sort((a, b) => a.at.localeCompare(b.at))) options.onEvent(e.event);
    if (run.status !== "running" || options.signal?.aborted) return run;
    await options.onPoll?.(run, steps);
    await sleep(options.pollMs, options.signal);
  }
}
