/**
 * Recording the end of a step that ran elsewhere when the remote side could not: the job never started, its
 * image could not be pulled, its pod was killed, or it was cancelled. One record per step: a step run the remote
 * `koan step-run` left `running` is finished; otherwise a new one is written.
 * @module
 */
import { newId } from "../core/ids.js";
import type { StepFailedError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { PipelineNode } from "../core/pipeline.js";
import { storedError } from "../runner/node.js";
import { putText } from "../runner/io.js";
import type { RunEnv } from "../runner/types.js";
import type { EventRecord, StepRunRecord, StepStatus } from "../stores/metadata/types.js";

const now = (): string => new Date().toISOString();

/** What {@link recordStepEnd} writes. */
export interface StepEnd {
  status: Exclude<StepStatus, "running" | "succeeded">;
  error: StepFailedError;
  /** A record the remote side left running (finished instead of writing a new one). */
  existing?: StepRunRecord | undefined;
  /** Fields of a new record (defaults: a new id, no cache key, the node's code hash and params). */
  base?: Omit<StepRunRecord, "status" | "cacheHit" | "cachedFrom" | "startedAt" | "endedAt" | "durationMs"> | undefined;
  inputEvents?: readonly EventRecord[];
  startedAt?: string | undefined;
  durationMs: number;
  attempts: number;
  meta: JsonValue;
  /** Lines about the job (state changes, its log) to keep as the step's log. */
  lines?: readonly string[];
}

/** Write the end of a step run (see the module description). */
export async function recordStepEnd(env: RunEnv, node: PipelineNode, end: StepEnd): Promise<void> {
  const text = end.lines?.length ? `${end.lines.join("\n")}\n` : "";
  const logBlob = text ? await putText(env.artifacts, text).catch(() => null) : null;
  const id = end.existing?.id ?? end.base?.id ?? newId("s");
  if (!end.existing) {
    const base = end.base ?? {
      id,
      runId: env.runId,
      step: node.name,
      stepType: node.step.name,
      cacheKey: null,
      codeHash: node.step.codeHash,
      params: env.params[node.name] ?? {},
      attempts: 0,
      error: null,
      logBlob: null,
      meta: end.meta,
    };
    await env.metadata.createStepRun({ ...base, meta: end.meta, status: "running", cacheHit: false, cachedFrom: null, startedAt: end.startedAt ?? now(), endedAt: null, durationMs: null }, end.inputEvents ?? []);
  }
  await env.metadata.finishStepRun(
    id,
    {
      status: end.status,
      endedAt: now(),
      durationMs: end.durationMs,
      attempts: end.existing?.attempts || end.attempts,
      error: storedError(end.error),
      logBlob: end.existing?.logBlob ?? logBlob,
      meta: end.existing?.meta ?? end.meta,
    },
    [],
  );
}

/** Record a step that never ran because a step it depends on failed. */
export async function recordSkipped(env: RunEnv, node: PipelineNode): Promise<void> {
  await env.metadata.createStepRun(
    { id: newId("s"), runId: env.runId, step: node.name, stepType: node.step.name, status: "skipped", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: node.step.codeHash, params: env.params[node.name] ?? {}, startedAt: null, endedAt: now(), durationMs: null, attempts: 0, error: null, logBlob: null, meta: {} },
    [],
  );
  env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "skipped", cacheHit: false, durationMs: 0 });
}
