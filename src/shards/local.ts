/**
 * Shards of a shardable step run as one task (the local orchestrator, `koan step-run` without fan-out): in worker
 * threads of this process — as many as `KOAN_SHARD_THREADS` (default: the machine's parallelism), each taking
 * every n-th shard — when the step names its module and its inputs can travel to a thread; else one after another.
 * Partial results are merged in shard order either way, so the outputs are the same.
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { StepContext, StepDefinition } from "../core/step.js";
import { mapInOrder, type ShardSpec } from "./define.js";
import type { ShardThreadData, ShardThreadMessage } from "./thread.js";
import { transferInputs } from "./transfer.js";

/** How many shard threads a task may use. */
export function shardThreads(): number {
  const n = Number(process.env.KOAN_SHARD_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

/** Compute `n` shards of `spec` (see the module description). */
export async function mapShards(ctx: StepContext, spec: ShardSpec, definition: StepDefinition, inputs: Record<string, unknown>, params: never, n: number): Promise<JsonValue[]> {
  const threads = Math.min(n, shardThreads());
  const url = spec.module?.url;
  const loadable = url !== undefined && /\.m?js$/.test(new URL(url).pathname);
  const transferred = threads > 1 && loadable ? await transferInputs(inputs) : undefined;
  if (!transferred || !spec.module) return mapInOrder(ctx, spec, inputs, params, n);
  ctx.log.info(`step "${definition.name}": ${n} shards in ${threads} threads`);
  const parts: (JsonValue | undefined)[] = new Array(n).fill(undefined);
  const workers: Worker[] = [];
  const stop = (): void => {
    for (const w of workers) void w.terminate();
  };
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    await Promise.all(
      Array.from({ length: threads }, (_, t) => {
        const data: ShardThreadData = {
          module: spec.module as { url: string; export: string },
          inputs: transferred,
          params,
          indices: Array.from({ length: n }, (_, i) => i).filter((i) => i % threads === t),
          count: n,
          context: { pipeline: ctx.pipeline, step: ctx.step, runId: ctx.runId, stepRunId: ctx.stepRunId, attempt: ctx.attempt, seed: ctx.seed },
        };
        const worker = new Worker(new URL("./thread.js", import.meta.url), { workerData: data });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          let failed = false;
          worker.on("message", (m: ShardThreadMessage) => {
            if (m.type === "part") parts[m.index] = m.part as JsonValue;
            else if (m.type === "log") ctx.log[m.level === "WARN" ? "warn" : m.level === "ERROR" ? "error" : m.level === "DEBUG" ? "debug" : "info"](m.line);
            else {
              failed = true;
              const e = new KoanError((m.code as KoanError["code"]) ?? "STEP_FAILED", m.message);
              if (m.stack) e.stack = m.stack;
              reject(e);
              stop();
            }
          });
          worker.on("error", (e) => reject(e));
          worker.on("exit", () => {
            if (ctx.signal.aborted) reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new KoanError("RUN_CANCELLED", "cancelled"));
            else if (!failed) resolve();
          });
        });
      }),
    );
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    stop();
  }
  const missing = parts.findIndex((p) => p === undefined);
  if (missing >= 0) throw new KoanError("INTERNAL", `shard ${missing} of step "${definition.name}" gave no result`);
  return parts as JsonValue[];
}
