/**
 * Moving a queued run forward from the metadata store's state alone (so any worker, the `koan run` that follows
 * the run, or a reconcile after Redis lost its keys can do it, and doing it twice is harmless): steps that can no
 * longer run are recorded `skipped`, ready steps are enqueued, and a run whose steps have all ended is finished.
 * @module
 */
import { hostname } from "node:os";
import { newId } from "../../core/ids.js";
import { readRunState, type RunState } from "../../runner/run-state.js";
import { taskLeaseKey } from "../../runner/step-run.js";
import type { MetadataStore, StoredError } from "../../stores/metadata/types.js";

const now = (): string => new Date().toISOString();

/** Record `node` skipped unless a step run of it exists (two workers may try at once). */
async function recordSkipped(metadata: MetadataStore, state: RunState, node: string): Promise<void> {
  const spec = state.node(node);
  if (!spec) return;
  const params = ((state.run.config as { params?: Record<string, unknown> } | null)?.params?.[node] ?? {}) as never;
  try {
    await metadata.createStepRun(
      { id: newId("s"), runId: state.run.id, step: node, stepType: spec.step, status: "skipped", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: spec.codeHash, params, startedAt: null, endedAt: now(), durationMs: null, attempts: 0, error: null, logBlob: null, meta: { host: hostname() } },
      [],
    );
  } catch (e) {
    // A step name is unique within a run: another worker recorded it first.
    if (!(await metadata.listStepRuns(state.run.id)).some((s) => s.step === node)) throw e;
  }
}

/** The run's error: its first failed step's, or a cancel. */
function runError(state: RunState): StoredError | null {
  const outcome = state.outcome();
  if (outcome === "succeeded") return null;
  const failed = state.failures()[0];
  if (failed?.error) return failed.error;
  return outcome === "cancelled" ? { code: "RUN_CANCELLED", message: "a step of the run was cancelled" } : { code: "STEP_FAILED", message: "a step of the run failed" };
}

/** What {@link advanceRun} did. */
export interface Advanced {
  state: RunState;
  /** Steps handed to `enqueue`. */
  enqueued: string[];
  /** True when this call finished the run. */
  finished: boolean;
}

/**
 * Advance run `runId`: skip what can no longer run, finish the run when every step has ended, else pass the
 * ready steps to `enqueue` (which must add each once). With `orphans`, also steps left `running` whose executor
 * no longer holds their task lease (their task was lost with Redis).
 */
export async function advanceRun(metadata: MetadataStore, runId: string, enqueue: (steps: string[]) => Promise<void>, options: { orphans?: boolean } = {}): Promise<Advanced> {
  let state = await readRunState(metadata, runId);
  if (state.run.status !== "running") return { state, enqueued: [], finished: false };
  for (let blocked = state.blocked(); blocked.length; blocked = state.blocked()) {
    for (const node of blocked) await recordSkipped(metadata, state, node);
    state = await readRunState(metadata, runId);
  }
  if (state.complete()) {
    const fresh = await metadata.getRun(runId);
    if (fresh?.status !== "running") return { state, enqueued: [], finished: false };
    await metadata.finishRun(runId, state.outcome(), now(), runError(state));
    return { state: await readRunState(metadata, runId), enqueued: [], finished: true };
  }
  const steps = state.ready();
  if (options.orphans) {
    for (const n of state.nodes) {
      if (state.states.get(n.name) !== "running") continue;
      const lease = await metadata.getLease(taskLeaseKey(runId, n.name));
      if (!lease || lease.expired) steps.push(n.name);
    }
  }
  if (steps.length) await enqueue(steps);
  return { state, enqueued: steps, finished: false };
}
