/**
 * Pipelines: a named DAG of step calls, built by calling steps inside `build`. Edges come from data: passing one
 * step's output to another step's input.
 *
 * @example
 * ```ts
 * import { pipeline } from "koan";
 * import { loadRows, double } from "./steps.js";
 *
 * export default pipeline({
 *   name: "doubler",
 *   build: () => {
 *     const { rows } = loadRows();
 *     double({ xs: rows }, { params: { factor: 3 } });
 *   },
 * });
 * ```
 * @module
 */
import { KoanError } from "./errors.js";
import { collect, type PipelineNode } from "./builder.js";
import { topologicalOrder } from "./graph.js";
import { checkName } from "./step.js";
import type { JsonValue } from "./hash.js";

export type { PipelineNode } from "./builder.js";

/** Options of {@link pipeline}. */
export interface PipelineOptions {
  /** Pipeline name: runs are grouped by it. */
  name: string;
  description?: string;
  /** At most this many steps run at once (default 4). */
  concurrency?: number;
  /** Base seed of every step's RNG (default 0); recorded with each run and part of every cache key. */
  seed?: number;
  /** Calls steps to wire the DAG. Runs once, when the pipeline is defined. */
  build: () => unknown;
}

/** A defined pipeline. */
export interface Pipeline {
  readonly kind: "koan.pipeline";
  readonly name: string;
  readonly description: string | undefined;
  readonly concurrency: number;
  readonly seed: number;
  /** Nodes in definition order. */
  readonly nodes: readonly PipelineNode[];
  /** Node names in a deterministic topological order. */
  readonly order: readonly string[];
  /** The node with this name. */
  node(name: string): PipelineNode | undefined;
  /** Plain-data description (for the CLI, dashboard, exporters). */
  spec(): PipelineSpec;
}

/** Plain-data form of a pipeline. */
export interface PipelineSpec {
  readonly name: string;
  readonly description: string | null;
  readonly nodes: readonly {
    readonly name: string;
    readonly step: string;
    readonly codeHash: string;
    readonly inputs: { readonly [port: string]: { readonly node: string; readonly port: string; readonly kind: string } };
    readonly outputs: { readonly [port: string]: string };
    readonly params: { readonly [key: string]: JsonValue };
  }[];
}

/** Define a pipeline. Throws `PIPELINE_INVALID` on duplicate names, missing inputs, mismatched types or cycles. */
export function pipeline(options: PipelineOptions): Pipeline {
  const name = checkName("pipeline", options.name);
  if (typeof options.build !== "function") throw new KoanError("PIPELINE_INVALID", `pipeline "${name}" has no build function`);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new KoanError("PIPELINE_INVALID", `pipeline "${name}": concurrency must be a whole number ≥ 1`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new KoanError("PIPELINE_INVALID", `pipeline "${name}": seed must be an integer`);
  const nodes = collect(name, options.build);
  if (nodes.length === 0) throw new KoanError("PIPELINE_INVALID", `pipeline "${name}" has no steps`, { hint: "call at least one step inside build()" });
  return fromNodes({ name, description: options.description, concurrency, seed }, nodes);
}

/** Assemble a pipeline from nodes (validated: duplicates, dangling references, cycles). */
export function fromNodes(
  head: { name: string; description: string | undefined; concurrency: number; seed: number },
  nodes: readonly PipelineNode[],
): Pipeline {
  const order = topologicalOrder(
    head.name,
    nodes.map((n) => ({ name: n.name, inputs: n.inputs, outputs: Object.keys(n.step.outputs) })),
  );
  const byName = new Map(nodes.map((n) => [n.name, n] as const));
  for (const n of nodes) {
    for (const [port, ref] of Object.entries(n.inputs)) {
      const want = n.step.inputs[port]?.kind;
      const have = byName.get(ref.node)?.step.outputs[ref.port]?.kind;
      if (want !== have) {
        throw new KoanError("PIPELINE_INVALID", `cannot wire output "${ref.port}" of step "${ref.node}" (${have}) to input "${port}" of step "${n.name}" (${want})`);
      }
    }
    for (const port of Object.keys(n.step.inputs)) {
      if (!(port in n.inputs)) throw new KoanError("PIPELINE_INVALID", `step "${n.name}" in pipeline "${head.name}" is missing its input "${port}"`);
    }
  }
  const frozen = Object.freeze([...nodes]);
  return Object.freeze({
    kind: "koan.pipeline" as const,
    ...head,
    nodes: frozen,
    order: Object.freeze(order),
    node: (n: string) => byName.get(n),
    spec: (): PipelineSpec => ({
      name: head.name,
      description: head.description ?? null,
      nodes: frozen.map((n) => ({
        name: n.name,
        step: n.step.name,
        codeHash: n.step.codeHash,
        inputs: Object.fromEntries(Object.entries(n.inputs).map(([p, r]) => [p, { ...r, kind: n.step.inputs[p]?.kind ?? "" }])),
        outputs: Object.fromEntries(Object.entries(n.step.outputs).map(([p, t]) => [p, t.kind])),
        params: n.params as { [key: string]: JsonValue },
      })),
    }),
  });
}

/** True for a value made by {@link pipeline}. */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === "object" && value !== null && (value as Pipeline).kind === "koan.pipeline" && Array.isArray((value as Pipeline).nodes);
}
