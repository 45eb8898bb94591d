/**
 * Running one node on a step backend (called by the runner instead of its own attempts). The job runs
 * `koan step-run <run-id> <step>`, which records the step run — inputs, outputs, log, metrics — in the metadata
 * store like any step; this side submits the job, follows it (state changes and the job's log lines become
 * `step-log` events), and then takes the step's outputs from that record. When the job ends without a finished
 * record (it never started, its image could not be pulled, it was killed or cancelled), this side records the
 * step run's end with the job's error, keeping those lines as the step's log. Ctrl-C and `koan runs cancel`
 * abort the run's signal, which cancels the job.
 * @module
 */
import { hostname } from "node:os";
import { KoanError, type StepFailedError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { PipelineNode } from "../core/pipeline.js";
import type { NodeResult, RunEnv } from "../runner/types.js";
import type { ArtifactRecord, EventRecord, StepRunRecord, StepStatus } from "../stores/metadata/types.js";
import { followJob, type JobOutcome } from "./follow.js";
import { stepJob } from "./job.js";
import { recordStepEnd } from "./record.js";
import type { JobHandle, JobPhase, PlannedBackend } from "./types.js";

/** The parts of the step run record the runner prepared (id, step, cache key, params, meta, ...). */
export type StepRunBase = Omit<StepRunRecord, "status" | "cacheHit" | "cachedFrom" | "startedAt" | "endedAt" | "durationMs">;

/** What the runner hands over. */
export interface DispatchContext {
  base: StepRunBase;
  inputEvents: EventRecord[];
  /** When the node started (ms), for durations. */
  started: number;
  /** Wrap a cause as the step's failure (once). */
  wrap: (cause: unknown) => StepFailedError;
}

const now = (): string => new Date().toISOString();

/** The step runs the remote side recorded for `node` in this run (the runner itself recorded none), newest last. */
async function remoteRecords(env: RunEnv, node: string): Promise<StepRunRecord[]> {
  return (await env.metadata.listStepRuns(env.runId)).filter((s) => s.step === node).sort((a, b) => a.id.localeCompare(b.id));
}

/** The output artifacts of a finished step run, by port; undefined when one of the declared ports is missing. */
async function outputsOf(env: RunEnv, node: PipelineNode, record: StepRunRecord): Promise<Record<string, ArtifactRecord> | undefined> {
  const events = (await env.metadata.eventsOfStepRuns([record.id])).filter((e) => e.kind === "output");
  const out: Record<string, ArtifactRecord> = {};
  for (const port of Object.keys(node.step.outputs)) {
    const ev = events.find((e) => e.port === port);
    const art = ev ? await env.metadata.getArtifact(ev.artifactId) : undefined;
    if (!art) return undefined;
    out[port] = art;
  }
  return out;
}

/** Submit `node` to `planned` and follow it to the end; records exactly one step run for it. */
export async function runOnBackend(env: RunEnv, node: PipelineNode, planned: PlannedBackend, ctx: DispatchContext): Promise<NodeResult & { error?: StepFailedError }> {
  const job = stepJob({ runId: env.runId, pipeline: env.pipeline.name, node, image: planned.image, stack: env.stack, backendName: planned.name, env: planned.env });
  const where = `${planned.flavor} job ${job.name}`;
  const lines: string[] = [];
  const say = (line: string, level: "INFO " | "WARN " = "INFO "): void => {
    lines.push(`${now()} ${level} ${line}`);
    env.emit({ type: "step-log", runId: env.runId, step: node.name, line });
  };
  const meta: JsonValue = { ...(ctx.base.meta as object), backend: { name: planned.name, flavor: planned.flavor, image: planned.image, job: job.name }, host: hostname() };
  const startedAt = now();
  let attempts = 0;

  /** Record the step run here (the remote side recorded none, or left it running). */
  const finishHere = async (status: "failed" | "cancelled", failure: StepFailedError, existing: StepRunRecord | undefined, jobId?: string): Promise<NodeResult & { error: StepFailedError }> => {
    const durationMs = Date.now() - ctx.started;
    const withJob = (jobId ? { ...(meta as object), backend: { ...(meta as { backend: object }).backend, jobId } } : meta) as JsonValue;
    await recordStepEnd(env, node, { status, error: failure, existing, base: ctx.base, inputEvents: ctx.inputEvents, startedAt, durationMs, attempts, meta: withJob, lines });
    env.emit({ type: "step-finished", runId: env.runId, step: node.name, status, cacheHit: false, durationMs, error: failure.message });
    return { status, outputs: {}, error: failure };
  };

  env.emit({ type: "step-started", runId: env.runId, step: node.name, attempt: 1 });
  let handle: JobHandle;
  try {
    say(`submitting ${where} (image ${planned.image})`);
    handle = await planned.backend.submit(job);
    attempts = 1;
    say(`submitted ${where}: ${handle.id}`);
  } catch (e) {
    return finishHere(env.signal.aborted ? "cancelled" : "failed", ctx.wrap(e), undefined);
  }

  let phase: JobPhase | undefined;
  let event: string | undefined;
  const outcome: JobOutcome = await followJob(planned.backend, handle, {
    step: node.name,
    signal: env.signal,
    pollMs: planned.pollMs,
    startTimeoutMs: planned.startTimeoutMs,
    onStatus: (s) => {
      if (s.phase !== phase) say(`${where} is ${s.phase}${s.lastEvent && s.phase === "queued" ? `: ${s.lastEvent}` : ""}`);
      else if (s.phase === "queued" && s.lastEvent && s.lastEvent !== event) say(`${where}: ${s.lastEvent}`);
      phase = s.phase;
      event = s.lastEvent;
    },
    onWarning: (line) => say(line, "WARN "),
    onLog: (line) => {
      lines.push(line);
      env.emit({ type: "step-log", runId: env.runId, step: node.name, line });
    },
  });

  const records = await remoteRecords(env, node.name);
  const remote = records[records.length - 1];
  const finished = remote && remote.status !== "running" ? remote : undefined;

  // A step run the remote side recorded as succeeded is the step's result, even if its container then ended badly.
  if (outcome.kind === "succeeded" || finished?.status === "succeeded") {
    if (finished?.status === "succeeded") {
      const outputs = await outputsOf(env, node, finished);
      if (outputs) {
        const durationMs = Date.now() - ctx.started;
        env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "succeeded", cacheHit: finished.cacheHit, durationMs });
        return { status: "succeeded", outputs };
      }
      const failure = ctx.wrap(new KoanError("OUTPUT_INVALID", `${where} succeeded, but its step run ${finished.id} lacks some of the outputs ${Object.keys(node.step.outputs).join(", ")} (were they deleted?)`));
      env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "failed", cacheHit: false, durationMs: Date.now() - ctx.started, error: failure.message });
      return { status: "failed", outputs: {}, error: failure };
    }
    if (finished) return resultOf(env, node, finished, ctx, where);
    return finishHere(
      "failed",
      ctx.wrap(
        new KoanError("STEP_FAILED", `${where} succeeded, but no step run of "${node.name}" was recorded in run ${env.runId}`, {
          hint: "the image's koan step-run must use this run's stack (same artifact and metadata stores): rebuild the image with `koan build` and check the stack's URIs are reachable from the job",
        }),
      ),
      remote?.status === "running" ? remote : undefined,
      handle.id,
    );
  }

  // The job failed, was cancelled or never started. When the remote side recorded the step's end, that record
  // is the step's (one step run per step, and the step's own error says more); else the job's end is recorded here.
  if (finished) return resultOf(env, node, finished, ctx, where);
  return finishHere(outcome.kind === "cancelled" ? "cancelled" : "failed", ctx.wrap(outcome.error), remote?.status === "running" ? remote : undefined, handle.id);
}

/** The result of a step run the remote side finished (failed or cancelled). */
function resultOf(env: RunEnv, node: PipelineNode, record: StepRunRecord, ctx: DispatchContext, where: string): NodeResult & { error: StepFailedError } {
  const stored = record.error ?? { code: "STEP_FAILED", message: `${where} ended with the step ${record.status}` };
  const cause = new KoanError(stored.code as KoanError["code"], stored.message, stored.hint ? { hint: stored.hint } : {});
  if (stored.stack) cause.stack = stored.stack;
  const failure = ctx.wrap(cause);
  const status: StepStatus = record.status === "cancelled" ? "cancelled" : "failed";
  env.emit({ type: "step-finished", runId: env.runId, step: node.name, status, cacheHit: false, durationMs: Date.now() - ctx.started, error: failure.message });
  return { status, outputs: {}, error: failure };
}
