/**
 * Entry point of a shard worker thread (see local.ts): imports the module exporting the shardable step, rebuilds
 * the inputs, computes the shards it was given one after another and posts each partial result (or the error).
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KoanError, messageOf } from "../core/errors.js";
import { createRng } from "../core/rng.js";
import type { StepContext, StepDefinition } from "../core/step.js";
import { asJson, shardsOf } from "./define.js";
import { restoreInputs, type TransferredInput } from "./transfer.js";

/** What a shard thread is given. */
export interface ShardThreadData {
  module: { url: string; export: string };
  inputs: Record<string, TransferredInput>;
  params: unknown;
  indices: number[];
  count: number;
  context: { pipeline: string; step: string; runId: string; stepRunId: string; attempt: number; seed: number };
}

/** What a shard thread posts. */
export type ShardThreadMessage = { type: "part"; index: number; part: unknown } | { type: "log"; level: string; line: string } | { type: "error"; message: string; stack?: string; code?: string };

const data = workerData as ShardThreadData;
const post = (m: ShardThreadMessage): void => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const mod = (await import(data.module.url)) as Record<string, { definition?: StepDefinition } | undefined>;
  const definition = mod[data.module.export]?.definition;
  const spec = definition ? shardsOf(definition) : undefined;
  if (!spec) throw new KoanError("STEP_INVALID", `${data.module.url} exports no shardable step "${data.module.export}"`);
  const inputs = await restoreInputs(data.inputs);
  const scratch = mkdtempSync(join(tmpdir(), "koan-shard-"));
  const say = (level: string) => (line: string) => post({ type: "log", level, line });
  try {
    for (const index of data.indices) {
      const ctx: StepContext = Object.freeze({
        ...data.context,
        rng: createRng(data.context.seed),
        scratchDir: scratch,
        signal: new AbortController().signal,
        log: { debug: say("DEBUG"), info: say("INFO"), warn: say("WARN"), error: say("ERROR"), metric: () => undefined },
      });
      post({ type: "part", index, part: asJson(await spec.map(ctx, inputs, data.params as never, { index, count: data.count })) });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => post({ type: "error", message: messageOf(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}), ...(e instanceof KoanError ? { code: e.code } : {}) }));
