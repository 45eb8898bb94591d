/**
 * Step definitions. A step is a typed, parameterised, cacheable unit of work; calling it inside a pipeline's
 * `build` function wires its inputs to other steps' outputs and returns references to its own outputs.
 *
 * @example
 * ```ts
 * import { step, types as t } from "koan";
 * import { z } from "zod";
 *
 * export const double = step({
 *   name: "double",
 *   inputs: { xs: t.json<number[]>() },
 *   outputs: { ys: t.json<number[]>() },
 *   params: z.object({ factor: z.number().default(2) }),
 *   run: async (ctx, { xs }, { factor }) => {
 *     ctx.log.info(`doubling ${xs.length} values`);
 *     return { ys: xs.map((x) => x * factor) };
 *   },
 * });
 * ```
 * @module
 */
import { KoanError } from "./errors.js";
import { sha256, type JsonValue } from "./hash.js";
import type { Rng } from "./rng.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { ArtifactType, ValueOf } from "./types.js";
import { currentBuilder } from "./builder.js";

/** A set of named ports, each with an artifact type. */
export type Ports = { readonly [name: string]: ArtifactType<unknown, string> };

/** The values a step's `run` receives for its inputs (or returns for its outputs). */
export type PortValues<P extends Ports> = { -readonly [K in keyof P]: ValueOf<P[K]> };

/** A reference to one output of one step in a pipeline under construction. */
export interface OutputRef<A extends ArtifactType<unknown, string> = ArtifactType<unknown, string>> {
  /** The pipeline node (step name in the pipeline) that produces it. */
  readonly node: string;
  /** The output port. */
  readonly port: string;
  /** The artifact type: wiring checks its kind. */
  readonly type: A;
}

/** References to every output of a step call. */
export type OutputRefs<O extends Ports> = { readonly [K in keyof O]: OutputRef<O[K]> };

/** The inputs a step call needs: one reference per input port, of the matching type. */
export type InputRefs<I extends Ports> = { readonly [K in keyof I]: OutputRef<I[K]> };

/** Parameters type given a params schema (or none). */
export type ParamsOf<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Record<string, never>;
/** What a pipeline may bind for a step's parameters at call time. */
export type ParamsInputOf<S> = S extends StandardSchemaV1 ? Partial<StandardSchemaV1.InferInput<S>> : Record<string, never>;

/** Logging and metrics for step code; lines are captured with the step run. */
export interface StepLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Record a metric value; `step` orders values of the same metric (an epoch, an iteration). */
  metric(name: string, value: number, step?: number): void;
}

/** What step code gets besides its inputs and parameters. */
export interface StepContext {
  readonly pipeline: string;
  /** The step's name in the pipeline. */
  readonly step: string;
  readonly runId: string;
  readonly stepRunId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** The seed of `rng`: derived from the run's seed and the step name. */
  readonly seed: number;
  /** Seeded random numbers: use this, never `Math.random`. */
  readonly rng: Rng;
  readonly log: StepLogger;
  /** A fresh, empty folder for this attempt; deleted after the step (outputs are stored before). */
  readonly scratchDir: string;
  /** Aborted when the run is cancelled or the step times out. */
  readonly signal: AbortSignal;
}

/** Options that define a step. */
export interface StepOptions<I extends Ports, O extends Ports, S extends StandardSchemaV1 | undefined> {
  /** Identity of the step (also its default name in pipelines): letters, digits, `_`, `-`. */
  name: string;
  description?: string;
  inputs?: I;
  outputs?: O;
  /** Parameter schema (zod or any Standard Schema). Validated values must be JSON-serialisable. */
  params?: S;
  /** Bump to invalidate cached results when code the step calls (but does not contain) changes. */
  version?: string;
  /** Reuse earlier results with the same cache key (default true). */
  cache?: boolean;
  /** Extra attempts after a failure (default 0). */
  retries?: number;
  /** Delay before the first retry, doubled for each further one (default 100 ms). */
  retryDelayMs?: number;
  /** Abort the attempt after this long. */
  timeoutMs?: number;
  /** `process` runs the step in a child process (default `inline`, in the orchestrator's process). */
  isolation?: "inline" | "process";
  /**
   * Where the step runs: the name of a step backend of the stack (e.g. `"gpu"` for a Vertex AI or Kubernetes
   * backend registered with `koan stack register ... --step-backend gpu=vertex?...`). Default: where the
   * pipeline runs. A run can override it (`koan run --backend train=gpu`). Never part of the cache key: a result
   * computed remotely is a cache hit locally and vice versa. See docs/step-backends.md.
   */
  backend?: string;
  /** What the step needs from the machine it runs on; step backends and `koan export argo` request it. */
  resources?: StepResources;
  /**
   * For steps that read the outside world: a fingerprint of what they will read (e.g. `fileFingerprint(path)`),
   * folded into the cache key, so a changed source re-runs and an unchanged one does not.
   */
  fingerprint?: (params: ParamsOf<S>) => Promise<JsonValue> | JsonValue;
  run: (ctx: StepContext, inputs: PortValues<I>, params: ParamsOf<S>) => Promise<PortValues<O>> | PortValues<O>;
}

/**
 * Compute resources a step asks for where it runs remotely (Kubernetes requests and limits, Vertex AI machine
 * choice, Argo templates). Ignored by in-process execution.
 */
export interface StepResources {
  /** CPU cores: a number (`2`, `0.5`) or a Kubernetes quantity (`"500m"`). */
  cpu?: number | string;
  /** Memory as a Kubernetes quantity: `"512Mi"`, `"4Gi"`. */
  memory?: string;
  /** Number of GPUs (the backend's config says which kind). */
  gpu?: number;
}

/** Options of one call of a step inside a pipeline. */
export interface CallOptions<S> {
  /** The node's name in this pipeline (needed when the same step is used twice). */
  name?: string;
  /** Parameter values bound by the pipeline (overridable with `--param` or a config file). */
  params?: ParamsInputOf<S>;
}

/** A defined step, as plain data plus its function. */
export interface StepDefinition {
  readonly name: string;
  readonly description: string | undefined;
  readonly inputs: Ports;
  readonly outputs: Ports;
  readonly params: StandardSchemaV1 | undefined;
  readonly version: string | undefined;
  readonly cache: boolean;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly timeoutMs: number | undefined;
  readonly isolation: "inline" | "process";
  /** Name of the stack's step backend the step asks for (undefined: where the pipeline runs). Not hashed. */
  readonly backend: string | undefined;
  /** Resources the step asks for on remote backends. Not hashed. */
  readonly resources: StepResources | undefined;
  readonly fingerprint: ((params: never) => Promise<JsonValue> | JsonValue) | undefined;
  readonly run: (ctx: StepContext, inputs: Record<string, unknown>, params: never) => unknown;
  /** SHA-256 of the function source, the version and the port kinds. */
  readonly codeHash: string;
  /** Extra data recorded with the step (e.g. `commandStep`'s command line). */
  readonly meta: { readonly [key: string]: JsonValue };
}

type CallArgs<I extends Ports, S> = {} extends I
  ? [inputs?: InputRefs<I>, options?: CallOptions<S>]
  : [inputs: InputRefs<I>, options?: CallOptions<S>];

/** A step: call it inside `pipeline({ build })` to add it to the DAG. */
export interface Step<I extends Ports = Ports, O extends Ports = Ports, S extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined> {
  (...args: CallArgs<I, S>): OutputRefs<O>;
  readonly definition: StepDefinition;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Check a step or node name. */
export function checkName(kind: string, name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new KoanError("STEP_INVALID", `${kind} name ${JSON.stringify(name)} is invalid: use letters, digits, "_" and "-", starting with a letter or "_"`);
  }
  return name;
}

/** Code hash: the function's source, the version, the port kinds and any extra identity. */
export function codeHashOf(fnSource: string, version: string | undefined, inputs: Ports, outputs: Ports, extra: JsonValue = null): string {
  const ports = (p: Ports): string => Object.keys(p).sort().map((k) => `${k}:${p[k]?.kind}`).join(",");
  return sha256(JSON.stringify([fnSource, version ?? null, ports(inputs), ports(outputs), extra]));
}

/** Build a definition from options (shared by `step` and `commandStep`). */
export function makeDefinition(
  opts: StepOptions<Ports, Ports, StandardSchemaV1 | undefined>,
  identity: { source: string; meta?: { [key: string]: JsonValue } },
): StepDefinition {
  const name = checkName("step", opts.name);
  if (typeof opts.run !== "function") throw new KoanError("STEP_INVALID", `step "${name}" has no run function`);
  for (const [side, ports] of [["input", opts.inputs], ["output", opts.outputs]] as const) {
    for (const [port, type] of Object.entries(ports ?? {})) {
      checkName(`${side} port of step "${name}"`, port);
      if (!type || typeof type.kind !== "string" || !type.materializer) {
        throw new KoanError("STEP_INVALID", `${side} "${port}" of step "${name}" is not an artifact type`, { hint: "use types.json(), types.file(), types.dir() or types.bytes()" });
      }
    }
  }
  const retries = opts.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) throw new KoanError("STEP_INVALID", `step "${name}": retries must be a whole number ≥ 0`);
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new KoanError("STEP_INVALID", `step "${name}": timeoutMs must be > 0`);
  if (opts.backend !== undefined) checkName(`backend of step "${name}"`, opts.backend);
  const resources = opts.resources === undefined ? undefined : checkResources(name, opts.resources);
  const inputs = opts.inputs ?? {};
  const outputs = opts.outputs ?? {};
  const meta = identity.meta ?? {};
  return Object.freeze({
    name,
    description: opts.description,
    inputs,
    outputs,
    params: opts.params,
    version: opts.version,
    cache: opts.cache ?? true,
    retries,
    retryDelayMs: opts.retryDelayMs ?? 100,
    timeoutMs: opts.timeoutMs,
    isolation: opts.isolation ?? "inline",
    backend: opts.backend,
    resources,
    fingerprint: opts.fingerprint as StepDefinition["fingerprint"],
    run: opts.run as StepDefinition["run"],
    codeHash: codeHashOf(identity.source, opts.version, inputs, outputs, meta),
    meta,
  });
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Check a step's `resources` (CPU as cores or a quantity, memory as a quantity, GPUs as a whole number). */
function checkResources(step: string, r: StepResources): StepResources {
  const bad = (field: string, why: string): KoanError => new KoanError("STEP_INVALID", `step "${step}": resources.${field} ${why}`);
  if (typeof r !== "object" || r === null) throw new KoanError("STEP_INVALID", `step "${step}": resources must be an object like { cpu: 2, memory: "4Gi", gpu: 1 }`);
  for (const key of Object.keys(r)) if (!["cpu", "memory", "gpu"].includes(key)) throw bad(key, "is not a resource (use cpu, memory, gpu)");
  if (r.cpu !== undefined && !(typeof r.cpu === "number" ? r.cpu > 0 && Number.isFinite(r.cpu) : QUANTITY.test(r.cpu))) throw bad("cpu", `must be a number of cores > 0 or a quantity like "500m", got ${JSON.stringify(r.cpu)}`);
  if (r.memory !== undefined && !(typeof r.memory === "string" && QUANTITY.test(r.memory))) throw bad("memory", `must be a quantity like "512Mi" or "4Gi", got ${JSON.stringify(r.memory)}`);
  if (r.gpu !== undefined && !(Number.isInteger(r.gpu) && r.gpu >= 0)) throw bad("gpu", `must be a whole number ≥ 0, got ${JSON.stringify(r.gpu)}`);
  return Object.freeze({ ...r });
}

/** Wrap a definition as a callable step. */
export function callable<I extends Ports, O extends Ports, S extends StandardSchemaV1 | undefined>(definition: StepDefinition): Step<I, O, S> {
  const fn = (...args: unknown[]): unknown => {
    const builder = currentBuilder();
    if (!builder) {
      throw new KoanError("PIPELINE_INVALID", `step "${definition.name}" was called outside a pipeline's build function`, {
        hint: "call steps inside pipeline({ name, build: () => { ... } })",
      });
    }
    return builder.add(definition, (args[0] ?? {}) as Record<string, OutputRef>, (args[1] ?? {}) as CallOptions<unknown>);
  };
  Object.defineProperty(fn, "definition", { value: definition, enumerable: true });
  Object.defineProperty(fn, "name", { value: definition.name });
  return fn as unknown as Step<I, O, S>;
}

/** Define a step. See the module example. */
export function step<I extends Ports = {}, O extends Ports = {}, S extends StandardSchemaV1 | undefined = undefined>(
  options: StepOptions<I, O, S>,
): Step<I, O, S> {
  const definition = makeDefinition(options as unknown as StepOptions<Ports, Ports, StandardSchemaV1 | undefined>, {
    source: normaliseSource(options.run.toString()) + (options.fingerprint ? `\0${normaliseSource(options.fingerprint.toString())}` : ""),
  });
  return callable<I, O, S>(definition);
}

/** Line endings and trailing spaces do not change a step's identity. */
function normaliseSource(src: string): string {
  return src.replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "");
}
