/**
 * Following a run that executes elsewhere (queue workers, a remote engine) from the metadata store: step runs
 * appearing and ending become progress events, until the run record says the run ended.
 * @module
 */
import type { RunEvent } from "../runner/types.js";
import type { MetadataStore, RunRecord, StepRunRecord } from "../stores/metadata/types.js";

/** Options of {@link followRun}. */
export interface FollowOptions {
  /** How often the store is read (ms). */
  pollMs: number;
  onEvent: (event: RunEvent) => void;
  /** Called after each read with the run and its step runs (e.g. to advance it); errors end the follow. */
  onPoll?: (run: RunRecord, steps: readonly StepRunRecord[]) => Promise<void>;
  /** Stop following (resolves with the run as last read). */
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** Follow run `runId` until it is no longer `running` (or `signal` aborts); resolves with its last record. */
export async function followRun(metadata: MetadataStore, runId: string, options: FollowOptions): Promise<RunRecord> {
  const started = new Set<string>();
  const ended = new Set<string>();
  for (;;) {
    const run = await metadata.getRun(runId);
    if (!run) throw new Error(`run ${runId} disappeared from the metadata store`);
    const steps = await metadata.listStepRuns(runId);
    for (const s of steps) {
      if (!started.has(s.id) && s.status !== "skipped") {
        started.add(s.id);
        options.onEvent({ type: "step-started", runId, step: s.step, attempt: Math.max(1, s.attempts) });
      }
      if (s.status !== "running" && !ended.has(s.id)) {
        ended.add(s.id);
        options.onEvent({
          type: "step-finished",
          runId,
          step: s.step,
          status: s.status,
          cacheHit: s.cacheHit,
          durationMs: s.durationMs ?? 0,
          ...(s.error ? { error: s.error.message } : {}),
        });
      }
    }
    if (run.status !== "running" || options.signal?.aborted) return run;
    await options.onPoll?.(run, steps);
    await sleep(options.pollMs, options.signal);
  }
}
