/**
 * Shards of a shardable step as separate tasks (queue workers, workflow engines), through `stepRun`: whether to
 * fan out (a step with more than one shard and no usable cached result), one shard's partial result (stored as a
 * blob in the stack's artifact store; nothing recorded), and the step itself computed by merging stored parts —
 * recorded as the step's one step run, with the step's cache key.
 * @module
 */
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { newId } from "../core/ids.js";
import type { PipelineNode } from "../core/pipeline.js";
import { createRng, deriveSeed } from "../core/rng.js";
import type { StepContext, StepDefinition } from "../core/step.js";
import { loadMaterializer } from "../materializers/registry.js";
import { cacheKey } from "../runner/cache-key.js";
import { blobReader, putText } from "../runner/io.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import { readBlob } from "../stores/artifact/verify.js";
import type { ArtifactRecord, MetadataStore } from "../stores/metadata/types.js";
import { asJson, checkedCount, shardsOf, type ShardRef } from "./define.js";

/** What a shard task needs. */
export interface ShardTaskContext {
  runId: string;
  pipeline: string;
  node: PipelineNode;
  params: JsonValue;
  runSeed: number;
  inputs: Record<string, ArtifactRecord>;
  artifacts: ArtifactStore;
  metadata: MetadataStore;
  /** Use cached results (the run's and the step's setting). */
  cache: boolean;
  signal: AbortSignal;
}

async function withInputs<T>(c: ShardTaskContext, fn: (values: Record<string, unknown>, scratch: string) => Promise<T>): Promise<T> {
  const scratch = join(tmpdir(), "koan", `shard-${newId("d")}`);
  await mkdir(scratch, { recursive: true });
  try {
    const values: Record<string, unknown> = {};
    const reader = blobReader(c.artifacts, join(scratch, "inputs"));
    for (const [port, a] of Object.entries(c.inputs)) values[port] = await (await loadMaterializer(a.materializer, a.materializerVersion)).load(a.contentHash, a.materializerVersion, reader);
    return await fn(values, scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

function shardCtx(c: ShardTaskContext, scratch: string, label: string): StepContext {
  const seed = deriveSeed(c.runSeed, c.node.name);
  const say = (level: string) => (m: string) => process.stderr.write(`${level} ${label}: ${m}\n`);
  return Object.freeze({
    pipeline: c.pipeline,
    step: c.node.name,
    runId: c.runId,
    stepRunId: label,
    attempt: 1,
    seed,
    rng: createRng(seed),
    scratchDir: scratch,
    signal: c.signal,
    log: { debug: say("DEBUG"), info: say("INFO"), warn: say("WARN"), error: say("ERROR"), metric: () => undefined },
  });
}

/**
 * How many shard tasks step `c.node` should fan out into: its shard count when it is shardable, has more than one
 * shard and no usable cached result; else 0 (run it as one task).
 */
export async function fanOutCount(c: ShardTaskContext): Promise<number> {
  const def = c.node.step;
  const spec = shardsOf(def);
  if (!spec) return 0;
  if (c.cache && def.cache) {
    let fingerprint: JsonValue = null;
    try {
      if (def.fingerprint) fingerprint = await def.fingerprint(c.params as never);
    } catch {
      return 0; // the step run records the fingerprint's failure
    }
    const hit = await c.metadata.findCached(cacheKey({ step: def, params: c.params, seed: deriveSeed(c.runSeed, c.node.name), inputs: c.inputs, fingerprint }));
    if (hit) return 0;
  }
  const n = await withInputs(c, async (values) => checkedCount(def.name, await spec.count(values, c.params as never)));
  return n > 1 ? n : 0;
}

/** Compute shard `shard` of the step and store its partial result; returns the blob's hash. */
export async function computeShard(c: ShardTaskContext, shard: ShardRef): Promise<string> {
  const def = c.node.step;
  const spec = shardsOf(def);
  if (!spec) throw new KoanError("USAGE", `step "${c.node.name}" is not shardable`);
  return withInputs(c, async (values, scratch) => {
    const n = checkedCount(def.name, await spec.count(values, c.params as never));
    if (n !== shard.count || shard.index < 0 || shard.index >= n) {
      throw new KoanError("USAGE", `step "${c.node.name}" has ${n} shards here, but shard ${shard.index} of ${shard.count} was asked for`, { hint: "the step's inputs differ from the ones it was fanned out for" });
    }
    const part = asJson(await spec.map(shardCtx(c, scratch, `shard ${shard.index + 1}/${n}`), values, c.params as never, shard));
    return putText(c.artifacts, JSON.stringify(part));
  });
}

/** The node with its `run` replaced by merging the stored parts (same definition otherwise: same cache key). */
export function mergingNode(node: PipelineNode, artifacts: ArtifactStore, parts: readonly string[]): PipelineNode {
  const spec = shardsOf(node.step);
  if (!spec) throw new KoanError("USAGE", `step "${node.name}" is not shardable: it has no parts to merge`);
  const run: StepDefinition["run"] = async (ctx, inputs, params) => {
    const values: JsonValue[] = [];
    for (const hash of parts) values.push(JSON.parse((await readBlob(artifacts, hash)).toString("utf8")) as JsonValue);
    return spec.merge(ctx, inputs, params, values);
  };
  return { ...node, step: Object.freeze({ ...node.step, run }) };
}
