/**
 * Shardable steps: a step whose work splits into independent shards (e.g. the shards of a Dataset), each giving a
 * partial result as JSON data, merged in shard order into the step's outputs — the shape of mergeable
 * computations such as statistics accumulators and preprocessing analyzers.
 *
 * How the shards execute depends only on where the step runs, never on what it computes: the `queue`
 * orchestrator fans them out as separate tasks and runs the merge when all have finished; the local orchestrator
 * runs them in worker threads of its process (for steps whose module it can import, see `module`), else one after
 * another. The result, the cache key and the step run recorded are the same either way: one step run, whose
 * cache key is that of the step (shards are not part of it).
 *
 * @example
 * ```ts
 * export const countRows = shardableStep({
 *   name: "count_rows",
 *   inputs: { dataset: types.dataset() },
 *   outputs: { rows: types.json<number>() },
 *   module: { url: import.meta.url, export: "countRows" },
 *   shards: {
 *     count: ({ dataset }) => dataset.splits.length,
 *     map: async (_ctx, { dataset }, _p, { index }) => dataset.rowCount(dataset.splits[index]),
 *     merge: (_ctx, _i, _p, parts) => ({ rows: parts.reduce((a, b) => a + b, 0) }),
 *   },
 * });
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { StandardSchemaV1 } from "../core/standard-schema.js";
import { callable, makeDefinition, type ParamsOf, type PortValues, type Ports, type Step, type StepContext, type StepDefinition, type StepOptions } from "../core/step.js";

/** Which shard a `map` call computes. */
export interface ShardRef {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
}

/** The three functions of a shardable step. */
export interface Shards<I extends Ports, O extends Ports, S extends StandardSchemaV1 | undefined, State extends JsonValue = JsonValue> {
  /** How many shards the step splits into for these inputs and parameters (0: none; `merge` then gets no parts). */
  count: (inputs: PortValues<I>, params: ParamsOf<S>) => number | Promise<number>;
  /** One shard's partial result, as JSON data (it may be merged in another process or on another machine). */
  map: (ctx: StepContext, inputs: PortValues<I>, params: ParamsOf<S>, shard: ShardRef) => State | Promise<State>;
  /** The step's outputs from every shard's partial result, given in shard order. */
  merge: (ctx: StepContext, inputs: PortValues<I>, params: ParamsOf<S>, parts: State[]) => PortValues<O> | Promise<PortValues<O>>;
}

/** Options of {@link shardableStep}: those of `step`, with `shards` instead of `run`. */
export type ShardableStepOptions<I extends Ports, O extends Ports, S extends StandardSchemaV1 | undefined, State extends JsonValue = JsonValue> = Omit<StepOptions<I, O, S>, "run"> & {
  shards: Shards<I, O, S, State>;
  /**
   * Where this step is exported from (`{ url: import.meta.url, export: "name" }`), so the local orchestrator can
   * load it in worker threads and compute shards in parallel. Only compiled JavaScript modules load in threads;
   * without it, or for a `.ts` module, local shards run one after another (queue workers always fan them out).
   */
  module?: { url: string; export: string };
};

/** A shardable step's shard functions, as the runtime sees them. */
export interface ShardSpec {
  count: (inputs: Record<string, unknown>, params: never) => number | Promise<number>;
  map: (ctx: StepContext, inputs: Record<string, unknown>, params: never, shard: ShardRef) => JsonValue | Promise<JsonValue>;
  merge: (ctx: StepContext, inputs: Record<string, unknown>, params: never, parts: JsonValue[]) => Record<string, unknown> | Promise<Record<string, unknown>>;
  module: { url: string; export: string } | undefined;
}

/** Shard functions by definition, shared by every copy of this module in the process (a pipeline file loaded through the TypeScript loader may get its own copy of Koan). */
const REGISTRY = Symbol.for("koan.shards");
const specs: WeakMap<StepDefinition, ShardSpec> = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new WeakMap<StepDefinition, ShardSpec>()) as WeakMap<StepDefinition, ShardSpec>;

/** The shard functions of a step definition, or undefined for an ordinary step. */
export function shardsOf(definition: StepDefinition): ShardSpec | undefined {
  return specs.get(definition);
}

/** Check a shard count. */
export function checkedCount(step: string, n: unknown): number {
  if (!Number.isInteger(n) || (n as number) < 0) throw new KoanError("OUTPUT_INVALID", `shardable step "${step}": shards.count returned ${String(n)}, not a whole number ≥ 0`);
  return n as number;
}

/** Define a shardable step (see the module description). */
export function shardableStep<I extends Ports = {}, O extends Ports = {}, S extends StandardSchemaV1 | undefined = undefined, State extends JsonValue = JsonValue>(
  options: ShardableStepOptions<I, O, S, State>,
): Step<I, O, S> {
  const { shards, module, ...rest } = options;
  for (const f of ["count", "map", "merge"] as const) {
    if (typeof shards?.[f] !== "function") throw new KoanError("STEP_INVALID", `shardable step "${options.name}": shards.${f} must be a function`);
  }
  if (module && (typeof module.url !== "string" || typeof module.export !== "string")) {
    throw new KoanError("STEP_INVALID", `shardable step "${options.name}": module must be { url: import.meta.url, export: "<export name>" }`);
  }
  const spec: ShardSpec = { count: shards.count as ShardSpec["count"], map: shards.map as ShardSpec["map"], merge: shards.merge as unknown as ShardSpec["merge"], module };
  let definition: StepDefinition | undefined;
  // Run as one task: every shard here (in threads when possible), then the merge.
  const run = async (ctx: StepContext, inputs: Record<string, unknown>, params: never): Promise<Record<string, unknown>> => {
    const def = definition as StepDefinition;
    const n = checkedCount(def.name, await spec.count(inputs, params));
    const parts = n > 1 ? await (await import("./local.js")).mapShards(ctx, spec, def, inputs, params, n) : await mapInOrder(ctx, spec, inputs, params, n);
    return spec.merge(ctx, inputs, params, parts);
  };
  const normalise = (f: unknown): string => String(f).replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "");
  definition = makeDefinition({ ...(rest as unknown as StepOptions<Ports, Ports, StandardSchemaV1 | undefined>), run: run as never }, {
    // The code hash covers the three functions (and any fingerprint), as `step` covers `run`.
    source: ["shards", spec.count, spec.map, spec.merge, ...(rest.fingerprint ? [rest.fingerprint] : [])].map(normalise).join("\0"),
  });
  specs.set(definition, spec);
  return callable<I, O, S>(definition);
}

/**
 * A partial result as it travels between processes (JSON), so merging sees the same values wherever shards ran.
 * Throws `OUTPUT_INVALID` for a value JSON cannot carry.
 */
export function asJson(part: unknown): JsonValue {
  const text = JSON.stringify(part);
  if (text === undefined) throw new KoanError("OUTPUT_INVALID", `a shard's partial result must be JSON data, got ${typeof part}`);
  return JSON.parse(text) as JsonValue;
}

/** Compute every shard in this thread, in order. */
export async function mapInOrder(ctx: StepContext, spec: ShardSpec, inputs: Record<string, unknown>, params: never, n: number): Promise<JsonValue[]> {
  const parts: JsonValue[] = [];
  for (let index = 0; index < n; index++) {
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new KoanError("RUN_CANCELLED", "cancelled");
    parts.push(asJson(await spec.map(ctx, inputs, params, { index, count: n })));
  }
  return parts;
}
