/**
 * Runs one node of a run: cache lookup (outputs verified to still exist), the step's attempts with retries,
 * inline or in a child process, and the metadata records. Step-code failures are wrapped here, once, as
 * `StepFailedError` with pipeline, step and run id; the original error and stack are kept as its cause.
 * @module
 */
import { hostname } from "node:os";
import { KoanError, StepFailedError, messageOf } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { newId } from "../core/ids.js";
import type { PipelineNode } from "../core/pipeline.js";
import { deriveSeed } from "../core/rng.js";
import type { ArtifactRecord, EventRecord, NewOutput, StoredError } from "../stores/metadata/types.js";
import { cachedOrLease, type HeldLease } from "../stores/metadata/lease.js";
import { runAttempt, type StoredOutput } from "./attempt.js";
import { cacheKey } from "./cache-key.js";
import { putText } from "./io.js";
import { LogSink } from "./logs.js";
import { runAttemptInChild } from "./child.js";
import { runOnBackend } from "../backends/dispatch.js";
import type { NodeResult, RunEnv } from "./types.js";

const now = (): string => new Date().toISOString();

/** Plain-data form of an error for the metadata store. */
export function storedError(e: unknown): StoredError {
  const cause = e instanceof StepFailedError ? e.cause : e;
  const code = e instanceof KoanError ? e.code : "STEP_FAILED";
  return {
    code,
    message: messageOf(e),
    ...(cause instanceof Error && cause.stack ? { stack: cause.stack } : {}),
    ...(e instanceof KoanError && e.hint ? { hint: e.hint } : {}),
  };
}

/** Check that a cached step run's outputs are all recorded and all their blobs still stored. */
async function usableHit(env: RunEnv, node: PipelineNode, outputs: EventRecord[]): Promise<Record<string, ArtifactRecord> | undefined> {
  const byPort: Record<string, ArtifactRecord> = {};
  for (const port of Object.keys(node.step.outputs)) {
    const ev = outputs.find((o) => o.port === port);
    if (!ev) return undefined;
    const art = await env.metadata.getArtifact(ev.artifactId);
    if (!art) return undefined;
    for (const blob of await env.metadata.artifactBlobs(art.id)) {
      if (!(await env.artifacts.exists(blob))) return undefined;
    }
    byPort[port] = art;
  }
  return byPort;
}

/** Run one node given its upstream artifacts. Never throws for step failures: they are recorded and returned. */
export async function runNode(env: RunEnv, node: PipelineNode, inputs: Record<string, ArtifactRecord>): Promise<NodeResult & { error?: StepFailedError }> {
  const def = node.step;
  const params = env.params[node.name] ?? {};
  const seed = deriveSeed(env.seed, node.name);
  const stepRunId = newId("s");
  const started = Date.now();
  const inputEvents: EventRecord[] = Object.entries(inputs).map(([port, a]) => ({ stepRunId, artifactId: a.id, kind: "input", port }));
  const wrap = (cause: unknown): StepFailedError =>
    cause instanceof StepFailedError
      ? cause
      : new StepFailedError({ pipeline: env.pipeline.name, step: node.name, runId: env.runId, cause, code: cause instanceof KoanError && ["OUTPUT_INVALID", "STEP_TIMEOUT", "RUN_CANCELLED"].includes(cause.code) ? cause.code : "STEP_FAILED" });

  let fingerprint: JsonValue = null;
  let key: string | null = null;
  let fingerprintError: unknown;
  try {
    if (def.fingerprint) fingerprint = await def.fingerprint(params as never);
    key = cacheKey({ step: def, params, seed, inputs, fingerprint });
  } catch (e) {
    fingerprintError = e;
  }
  const base = {
    id: stepRunId,
    runId: env.runId,
    step: node.name,
    stepType: def.name,
    cacheKey: key,
    codeHash: def.codeHash,
    params,
    attempts: 0,
    error: null,
    logBlob: null,
    meta: { seed, isolation: def.isolation, host: hostname(), ...def.meta } as JsonValue,
  };

  // A step on a step backend is submitted as a job running `koan step-run` (see src/backends/dispatch.ts).
  const planned = env.backends?.get(node.name);
  let lease: HeldLease | undefined;
  if (key && env.cache && def.cache && !fingerprintError) {
    const cacheKeyOf = key;
    const check = async (): Promise<{ from: string; outputs: Record<string, ArtifactRecord> } | undefined> => {
      const hit = await env.metadata.findCached(cacheKeyOf);
      const outputs = hit ? await usableHit(env, node, hit.outputs) : undefined;
      return hit && outputs ? { from: hit.stepRun.id, outputs } : undefined;
    };
    // One computation per cache key across processes: take the key's lease, or wait for its holder's result.
    // A step sent to a step backend only looks the key up: the remote `koan step-run` takes the lease.
    const got = planned
      ? await check().then((value) => (value ? { kind: "cached" as const, value, waitedMs: 0 } : { kind: "remote" as const, waitedMs: 0 }))
      : await cachedOrLease(env.metadata, key, `${hostname()}:${process.pid}:${stepRunId}`, check, env.signal);
    const meta = (got.waitedMs > 0 ? { ...(base.meta as object), leaseWaitMs: got.waitedMs } : base.meta) as JsonValue;
    if (got.kind === "cached") {
      const { from, outputs } = got.value;
      const at = now();
      await env.metadata.createStepRun({ ...base, meta, status: "running", cacheHit: true, cachedFrom: from, startedAt: at, endedAt: null, durationMs: null }, inputEvents);
      const reused: EventRecord[] = Object.entries(outputs).map(([port, a]) => ({ stepRunId, artifactId: a.id, kind: "output", port }));
      const durationMs = Date.now() - started;
      await env.metadata.finishStepRun(stepRunId, { status: "succeeded", endedAt: now(), durationMs, attempts: 0, error: null, logBlob: null, meta }, [], reused);
      env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "succeeded", cacheHit: true, durationMs });
      return { status: "succeeded", outputs };
    }
    if (got.kind === "aborted") {
      const failure = wrap(new KoanError("RUN_CANCELLED", `step "${node.name}" was cancelled while waiting for another run computing the same result`));
      const at = now();
      const durationMs = Date.now() - started;
      await env.metadata.createStepRun({ ...base, meta, status: "running", cacheHit: false, cachedFrom: null, startedAt: at, endedAt: null, durationMs: null }, inputEvents);
      await env.metadata.finishStepRun(stepRunId, { status: "cancelled", endedAt: now(), durationMs, attempts: 0, error: storedError(failure), logBlob: null, meta }, []);
      env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "cancelled", cacheHit: false, durationMs, error: failure.message });
      return { status: "cancelled", outputs: {}, error: failure };
    }
    if (got.kind === "leased") lease = got.lease;
    base.meta = meta;
  }
  if (planned && fingerprintError === undefined) return runOnBackend(env, node, planned, { base, inputEvents, started, wrap });
  try {
    return await compute(env, node, inputs, { base, params, seed, stepRunId, inputEvents, started, wrap, fingerprintError, lease });
  } finally {
    await lease?.release();
  }
}

/** Compute a node (no usable cache hit): its attempts, then the records of its outputs or failure. */
async function compute(
  env: RunEnv,
  node: PipelineNode,
  inputs: Record<string, ArtifactRecord>,
  ctx: {
    base: { meta: JsonValue } & Omit<Parameters<RunEnv["metadata"]["createStepRun"]>[0], "status" | "cacheHit" | "cachedFrom" | "startedAt" | "endedAt" | "durationMs">;
    params: { [key: string]: JsonValue };
    seed: number;
    stepRunId: string;
    inputEvents: EventRecord[];
    started: number;
    wrap: (cause: unknown) => StepFailedError;
    fingerprintError: unknown;
    lease: HeldLease | undefined;
  },
): Promise<NodeResult & { error?: StepFailedError }> {
  const def = node.step;
  const { base, params, seed, stepRunId, inputEvents, started, wrap, fingerprintError, lease } = ctx;
  await env.metadata.createStepRun({ ...base, status: "running", cacheHit: false, cachedFrom: null, startedAt: now(), endedAt: null, durationMs: null }, inputEvents);
  const sink = new LogSink();
  let attempt = 0;
  let failure: StepFailedError | undefined = fingerprintError === undefined ? undefined : wrap(fingerprintError);
  let stored: StoredOutput[] = [];
  const retryable = (f: StepFailedError): boolean => f.code === "STEP_FAILED" || f.code === "STEP_TIMEOUT";
  while (fingerprintError === undefined && (!failure || (attempt <= def.retries && retryable(failure) && !env.signal.aborted))) {
    if (failure) {
      const delay = def.retryDelayMs * 2 ** (attempt - 1);
      env.emit({ type: "step-retrying", runId: env.runId, step: node.name, attempt: attempt + 1, error: messageOf(failure.cause) });
      sink.line("WARN", `attempt ${attempt} failed: ${messageOf(failure.cause)}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      failure = undefined;
    }
    attempt++;
    env.emit({ type: "step-started", runId: env.runId, step: node.name, attempt });
    try {
      const input = {
        pipeline: env.pipeline.name,
        node: node.name,
        step: def,
        runId: env.runId,
        stepRunId,
        attempt,
        seed,
        params,
        inputs,
        store: env.artifacts,
        scratchRoot: env.scratchRoot,
        signal: env.signal,
        sink,
      };
      stored = def.isolation === "process" ? await runAttemptInChild(env, input) : await runAttempt(input);
      break;
    } catch (e) {
      failure = wrap(e);
    }
  }

  const durationMs = Date.now() - started;
  if (lease?.lost) sink.line("WARN", "this step's cache lease expired and was taken over by another run while it computed (is KOAN_LEASE_TTL_MS too short?)");
  const logText = sink.text();
  const logBlob = logText ? await putText(env.artifacts, logText).catch(() => null) : null;
  if (sink.metrics.length) {
    await env.metadata.logMetrics(sink.metrics.map((m, seq) => ({ stepRunId, name: m.name, value: m.value, step: m.step, seq, at: m.at })));
  }
  if (failure) {
    const status = failure.code === "RUN_CANCELLED" ? "cancelled" : "failed";
    await env.metadata.finishStepRun(stepRunId, { status, endedAt: now(), durationMs, attempts: attempt, error: storedError(failure), logBlob, meta: base.meta }, []);
    env.emit({ type: "step-finished", runId: env.runId, step: node.name, status, cacheHit: false, durationMs, error: failure.message });
    return { status, outputs: {}, error: failure };
  }
  const createdAt = now();
  const outputs: NewOutput[] = stored.map((o) => ({
    port: o.port,
    blobs: o.saved.blobs.map((b) => b.hash),
    artifact: {
      id: newId("a"),
      type: o.kind,
      materializer: o.materializer,
      materializerVersion: o.materializerVersion,
      contentHash: o.saved.root.hash,
      uri: `${env.artifacts.uri.replace(/\/$/, "")}/sha256/${o.saved.root.hash}`,
      size: uniqueSize(o.saved.blobs),
      producerStepRun: stepRunId,
      outputName: o.port,
      createdAt,
      meta: (o.saved.meta ?? {}) as JsonValue,
    },
  }));
  await env.metadata.finishStepRun(stepRunId, { status: "succeeded", endedAt: now(), durationMs, attempts: attempt, error: null, logBlob, meta: base.meta }, outputs);
  env.emit({ type: "step-finished", runId: env.runId, step: node.name, status: "succeeded", cacheHit: false, durationMs });
  return { status: "succeeded", outputs: Object.fromEntries(outputs.map((o) => [o.port, o.artifact])) };
}

function uniqueSize(blobs: readonly { hash: string; size: number }[]): number {
  const seen = new Map<string, number>();
  for (const b of blobs) seen.set(b.hash, b.size);
  let n = 0;
  for (const s of seen.values()) n += s;
  return n;
}
