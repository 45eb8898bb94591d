/**
 * One attempt of a step: load inputs through their materializers, call the user's function inside the error
 * boundary (with timeout and cancellation), check the outputs against the declared types, and store them.
 * Runs in the orchestrator's process or in a child process (`isolation: "process"`); both use this function.
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { KoanError, messageOf } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { createRng } from "../core/rng.js";
import type { StepContext, StepDefinition } from "../core/step.js";
import { loadMaterializer } from "../materializers/registry.js";
import type { SavedArtifact } from "../materializers/types.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import type { ArtifactRecord } from "../stores/metadata/types.js";
import { blobReader, blobWriter } from "./io.js";
import { startLiveLog } from "./live-log.js";
import { withLogSink, type LogSink } from "./logs.js";

/** What an attempt stored for one output port. */
export interface StoredOutput {
  port: string;
  kind: string;
  materializer: string;
  materializerVersion: number;
  saved: SavedArtifact;
}

/** Everything one attempt needs. */
export interface AttemptInput {
  pipeline: string;
  node: string;
  step: StepDefinition;
  runId: string;
  stepRunId: string;
  attempt: number;
  seed: number;
  params: JsonValue;
  inputs: Readonly<Record<string, ArtifactRecord>>;
  store: ArtifactStore;
  scratchRoot: string;
  signal: AbortSignal;
  sink: LogSink;
}

/** Raised inside the boundary when outputs do not match the declared ones. */
function outputError(node: string, message: string): KoanError {
  return new KoanError("OUTPUT_INVALID", `step "${node}" returned ${message}`);
}

/** Run one attempt. Errors thrown are the *cause* (the caller wraps them once as StepFailedError). */
export async function runAttempt(a: AttemptInput): Promise<StoredOutput[]> {
  const scratch = join(a.scratchRoot, `${a.stepRunId}-${a.attempt}`);
  const work = join(scratch, "work");
  let scratchMade = false;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(a.signal.reason);
  a.signal.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const live = await startLiveLog(a.stepRunId, a.sink); // the dashboard tails it while the step runs
  try {
    const reader = blobReader(a.store, join(scratch, "inputs"));
    const values: Record<string, unknown> = {};
    for (const [port, art] of Object.entries(a.inputs)) {
      values[port] = await (await loadMaterializer(art.materializer, art.materializerVersion)).load(art.contentHash, art.materializerVersion, reader);
    }
    const ctx: StepContext = Object.freeze({
      // The scratch folder is made on first use: most steps never touch it.
      get scratchDir(): string {
        if (!scratchMade) {
          mkdirSync(work, { recursive: true });
          scratchMade = true;
        }
        return work;
      },
      pipeline: a.pipeline,
      step: a.node,
      runId: a.runId,
      stepRunId: a.stepRunId,
      attempt: a.attempt,
      seed: a.seed,
      rng: createRng(a.seed),
      log: a.sink.logger(),
      signal: controller.signal,
    });
    const stopped = new Promise<never>((_, reject) => {
      const fail = (): void =>
        reject(
          controller.signal.reason instanceof KoanError
            ? controller.signal.reason
            : new KoanError("RUN_CANCELLED", `step "${a.node}" was cancelled`),
        );
      if (controller.signal.aborted) fail();
      controller.signal.addEventListener("abort", fail, { once: true });
    });
    stopped.catch(() => undefined);
    if (a.step.timeoutMs !== undefined) {
      const ms = a.step.timeoutMs;
      timer = setTimeout(() => controller.abort(new KoanError("STEP_TIMEOUT", `step "${a.node}" timed out after ${ms} ms`)), ms);
    }
    const result = await Promise.race([
      withLogSink(a.sink, async () => a.step.run(ctx, values, a.params as never)),
      stopped,
    ]);
    if (timer) clearTimeout(timer);
    return await storeOutputs(a, result, scratch);
  } finally {
    if (timer) clearTimeout(timer);
    await live.close();
    a.signal.removeEventListener("abort", onAbort);
    if (scratchMade || existsSync(scratch)) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Store a step's outputs; files in its scratch folder (deleted right after) are handed to the store, not copied. */
async function storeOutputs(a: AttemptInput, result: unknown, scratch: string): Promise<StoredOutput[]> {
  const declared = Object.entries(a.step.outputs);
  if (declared.length === 0 && (result === undefined || result === null)) return [];
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    throw outputError(a.node, `${result === null ? "null" : Array.isArray(result) ? "an array" : typeof result} instead of an object with outputs ${declared.map(([p]) => `"${p}"`).join(", ") || "(none)"}`);
  }
  const values = result as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!a.step.outputs[key]) throw outputError(a.node, `an undeclared output "${key}" (declared: ${declared.map(([p]) => p).join(", ") || "none"})`);
  }
  const writer = blobWriter(a.store, { handOver: scratch });
  const out: StoredOutput[] = [];
  for (const [port, type] of declared) {
    if (!(port in values)) throw outputError(a.node, `no value for its output "${port}"`);
    const problem = await type.check(values[port]);
    if (problem) throw outputError(a.node, `a bad value for output "${port}" (${type.kind}): ${problem}`);
    try {
      const saved = await type.materializer.save(values[port], writer);
      out.push({ port, kind: type.kind, materializer: type.materializer.name, materializerVersion: type.materializer.version, saved });
    } catch (e) {
      if (e instanceof KoanError) throw e;
      throw outputError(a.node, `a value for output "${port}" that could not be stored: ${messageOf(e)}`);
    }
  }
  return out;
}
