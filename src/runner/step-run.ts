/**
 * `koan step-run <run> <step>`: the one entry point every remote executor uses (the queue's workers, Argo
 * Workflow tasks, Kubernetes and Vertex AI step jobs). It runs one step of a recorded run in this process, against
 * the stack's stores, exactly as the local orchestrator would: the run record says which pipeline file, parameters,
 * seed and cache setting; the step's inputs are the outputs its upstream steps recorded in that run; `runNode`
 * does caching, cache leases, retries, timeouts and the step run's records.
 *
 * A run holds one step run per step. Safe to call more than once for the same step (an executor may deliver a
 * task twice, or retry it after its first executor died): a step that already succeeded in the run is not run
 * again, one that failed or was cancelled stays so, and a per-step task lease in the metadata store lets only one
 * executor compute it at a time. When an executor dies mid-step, its lease expires; the next one takes over,
 * discards the dead one's unfinished step run and records its own (its `meta.takenOver` names the dead one). A
 * cancelled run (`koan runs cancel`) is noticed while the step runs, which then stops and is recorded `cancelled`.
 *
 * Refusals about this executor — the pipeline file is missing here or differs from the run's, the step's code
 * changed, another Koan version — are recorded as the step's failed step run (so `koan runs show` says why) and
 * returned as `failed`. Errors about the request itself (no such run or step, upstream steps not done, the run
 * ended) are thrown and record nothing.
 *
 * @example
 * ```ts
 * const koan = await Koan.open({ stack: "shared" });
 * const result = await stepRun({ koan, run: "r-mfx3k2a1-9f2c4e1ab3d0", step: "train" });
 * process.exitCode = result.status === "succeeded" ? 0 : 1;
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Koan } from "../client/client.js";
import { KoanError, isKoanError, messageOf } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { newId } from "../core/ids.js";
import type { PipelineNode } from "../core/pipeline.js";
import { loadPipelineFile, type LoadedPipeline } from "../loader/pipeline-file.js";
import { stackRecord } from "../stack/record.js";
import { cachedOrLease } from "../stores/metadata/lease.js";
import type { ArtifactRecord, RunRecord, StepRunRecord } from "../stores/metadata/types.js";
import { KOAN_VERSION } from "../version.js";
import { runNode, storedError } from "./node.js";
import { outputsOfStepRun, readRunState, type RecordedNode, type RunState } from "./run-state.js";
import type { RunEnv, RunEvent } from "./types.js";
import type { ShardRef } from "../shards/define.js";
import { computeShard, fanOutCount, mergingNode } from "../shards/remote.js";

/** Options of {@link stepRun}. */
export interface StepRunOptions {
  /** An open client on the run's stack (the run must be in its metadata store). */
  koan: Koan;
  /** Run id (or unique prefix). */
  run: string;
  /** The step's name in the pipeline. */
  step: string;
  /**
   * The pipeline file to load (default: the run's file, looked up relative to this project first, then at the
   * path it was recorded with).
   */
  pipelineFile?: string;
  /** Cancels the step (it is then recorded `cancelled`). */
  signal?: AbortSignal;
  /** Progress events of the step. */
  onEvent?: (event: RunEvent) => void;
  /** Run the step even when this Koan's version differs from the one that started the run (default false). */
  allowVersionMismatch?: boolean;
  /** How often the run record is read to notice a cancelled run (default 1000 ms). */
  cancelPollMs?: number;
  /**
   * Shardable steps as separate tasks (queue workers, workflow engines; see src/shards/remote.ts): `"fan-out"`
   * answers `status: "fan-out"` with the number of shards instead of running a step that has more than one (a
   * cached or earlier result is returned as usual); `{ shard }` computes one shard's partial result and answers
   * its blob hash in `part` (nothing is recorded); `{ parts }` runs the step by merging those partial results.
   */
  shards?: "fan-out" | { shard: ShardRef } | { parts: readonly string[] };
}

/** What {@link stepRun} returns. */
export interface StepRunResult {
  runId: string;
  step: string;
  status: "succeeded" | "failed" | "cancelled" | "fan-out";
  /** With `shards: "fan-out"`: how many shard tasks to run. */
  shardCount?: number;
  /** With `shards: { shard }`: the blob holding the shard's partial result. */
  part?: string;
  /** The step run recorded (or, when `already`, the earlier one that succeeded); undefined when none was. */
  stepRunId: string | undefined;
  /** True when the step had already succeeded in this run: nothing ran. */
  already: boolean;
  /** True when the step's outputs were reused from the cache. */
  cacheHit: boolean;
  /** Output artifacts by port (when succeeded). */
  outputs: Record<string, ArtifactRecord>;
  /** Why the step failed or was cancelled. */
  error?: KoanError;
}

const now = (): string => new Date().toISOString();

/** The run's config fields step-run reads. */
interface RunConfig {
  seed: number;
  cache: boolean;
  params: RunEnv["params"];
  pipelinePath?: string;
  orchestrator?: { pipelineFile?: string };
}

function configOf(run: RunRecord): RunConfig {
  const c = (run.config ?? {}) as Partial<RunConfig>;
  if (typeof c.seed !== "number" || typeof c.params !== "object" || c.params === null) {
    throw new KoanError("STORE_INVALID", `run ${run.id} has no recorded seed and parameters`, { hint: "start a new run" });
  }
  return { seed: c.seed, cache: c.cache !== false, params: c.params, ...(c.pipelinePath ? { pipelinePath: c.pipelinePath } : {}), ...(c.orchestrator ? { orchestrator: c.orchestrator } : {}) };
}

/** Where the run's pipeline file is on this machine: an explicit path, else project-relative, else as recorded. */
export function pipelineFileOf(run: RunRecord, projectDir: string, explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (!run.pipelineFile) {
    throw new KoanError("PIPELINE_FILE_NOT_FOUND", `run ${run.id} was not started from a pipeline file, so no other process can load its steps`, {
      hint: "start runs for remote executors from a file: koan run <file>, or client.createRun(p, { pipelineFile, sourceHash })",
    });
  }
  const config = configOf(run);
  const relative = config.pipelinePath ?? config.orchestrator?.pipelineFile;
  const candidates = [...(relative && !isAbsolute(relative) ? [resolve(projectDir, relative)] : []), run.pipelineFile];
  const found = candidates.find((f) => existsSync(f));
  if (found) return found;
  throw new KoanError("PIPELINE_FILE_NOT_FOUND", `the pipeline file of run ${run.id} is not on this machine (looked for ${candidates.join(" and ")})`, {
    hint: "executors need the project's files at the same commit: check out (or build the image of) the project the run was started from, or pass --pipeline-file",
    details: { runId: run.id, candidates },
  });
}

/** Refusals that concern this executor, checked before the step runs. */
async function loadChecked(koan: Koan, run: RunRecord, node: RecordedNode, options: StepRunOptions): Promise<{ loaded: LoadedPipeline; pnode: PipelineNode }> {
  const wanted = (run.environment as { koan?: string } | null)?.koan;
  if (!options.allowVersionMismatch && typeof wanted === "string" && wanted !== KOAN_VERSION) {
    throw new KoanError("VERSION_MISMATCH", `this executor (${hostname()}) runs Koan ${KOAN_VERSION}, but run ${run.id} was started with Koan ${wanted}; it refuses step "${node.name}"`, {
      hint: `run the steps with Koan ${wanted} (npm ci in the project, or rebuild the image), or start a new run with Koan ${KOAN_VERSION}`,
      details: { runId: run.id, step: node.name, runVersion: wanted, executorVersion: KOAN_VERSION },
    });
  }
  const here = stackRecord(koan.stack, koan).artifactStore.uri;
  const recorded = (run.stack as { artifactStore?: { uri?: string } } | null)?.artifactStore?.uri;
  if (recorded && recorded !== here) {
    throw new KoanError("CONFIG_INVALID", `run ${run.id} keeps its artifacts in ${recorded}, but stack "${koan.stack.name}" here uses ${here}`, {
      hint: "every executor of a run must use the run's stack (the same artifact and metadata stores): pass --stack, or fix the stack's artifact store",
    });
  }
  const file = pipelineFileOf(run, koan.project.dir, options.pipelineFile);
  const loaded = await loadPipelineFile(file);
  if (loaded.sourceHash !== run.sourceHash) {
    throw new KoanError("PIPELINE_CHANGED", `pipeline file ${loaded.file} differs from the one run ${run.id} was started with (source hash ${loaded.sourceHash.slice(0, 12)}, recorded ${run.sourceHash.slice(0, 12)})`, {
      hint: "run the steps from the project at the run's commit (same pipeline file), or start a new run",
      details: { runId: run.id, file: loaded.file },
    });
  }
  const pnode = loaded.pipeline.node(node.name);
  if (!pnode) {
    throw new KoanError("PIPELINE_CHANGED", `pipeline file ${loaded.file} has no step "${node.name}", which run ${run.id} has`, { hint: "run the steps from the project at the run's commit" });
  }
  if (pnode.step.codeHash !== node.codeHash) {
    throw new KoanError("PIPELINE_CHANGED", `the code of step "${node.name}" differs from the code run ${run.id} was started with (a module the pipeline file imports changed)`, {
      hint: "run the steps from the project at the run's commit, or start a new run",
      details: { runId: run.id, step: node.name },
    });
  }
  return { loaded, pnode };
}

/** Record a refusal as a failed step run of `node`, so the run shows why its step did not run here. */
export async function recordRefusal(koan: Koan, run: RunRecord, node: RecordedNode, error: KoanError): Promise<string> {
  const id = newId("s");
  const at = now();
  const params = (configOf(run).params[node.name] ?? {}) as JsonValue;
  const meta: JsonValue = { host: hostname(), pid: process.pid, refused: true };
  await koan.metadata.createStepRun(
    { id, runId: run.id, step: node.name, stepType: node.step, status: "running", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: node.codeHash, params, startedAt: at, endedAt: null, durationMs: null, attempts: 0, error: null, logBlob: null, meta },
    [],
  );
  await koan.metadata.finishStepRun(id, { status: "failed", endedAt: now(), durationMs: 0, attempts: 0, error: storedError(error), logBlob: null, meta }, []);
  return id;
}

/** The step's inputs: the outputs its upstream steps recorded in this run. */
async function inputsOf(koan: Koan, state: RunState, node: RecordedNode): Promise<Record<string, ArtifactRecord>> {
  const inputs: Record<string, ArtifactRecord> = {};
  for (const [port, ref] of Object.entries(node.inputs)) {
    const upstream = state.succeeded(ref.node);
    if (!upstream) {
      throw new KoanError("USAGE", `step "${node.name}" of run ${state.run.id} needs output "${ref.port}" of step "${ref.node}", which has not succeeded in that run (it is ${state.states.get(ref.node)})`, {
        hint: `run it first: koan step-run ${state.run.id} ${ref.node}`,
      });
    }
    const outs = await outputsOfStepRun(koan.metadata, upstream, [ref.port]);
    inputs[port] = outs[ref.port] as ArtifactRecord;
  }
  return inputs;
}

/**
 * Discard the step runs of `node` an executor left unfinished (`running` while it no longer holds the task lease,
 * or `interrupted`); returns what to remember of them in the new step run's meta.
 */
async function discardStale(koan: Koan, state: RunState, node: string): Promise<JsonValue[]> {
  const gone: JsonValue[] = [];
  for (const r of state.records.get(node) ?? []) {
    if (r.status !== "running" && r.status !== "interrupted") continue;
    await koan.metadata.discardStepRun(r.id);
    const host = (r.meta as { host?: unknown } | null)?.host;
    gone.push({ stepRunId: r.id, status: r.status, startedAt: r.startedAt, ...(typeof host === "string" ? { host } : {}) });
  }
  return gone;
}

/** The result for a step that ended in this run without succeeding (it is not run again). */
function ended(run: RunRecord, step: string, record: StepRunRecord): StepRunResult {
  const stored = record.error ?? { code: "STEP_FAILED", message: `step "${step}" ${record.status} in run ${run.id}` };
  const error = new KoanError((stored.code as KoanError["code"]) ?? "STEP_FAILED", `step "${step}" of run ${run.id} has already ended ${record.status}: ${stored.message}`, {
    hint: "a run's step runs once; start a new run to try again",
  });
  return { runId: run.id, step, status: record.status === "cancelled" ? "cancelled" : "failed", stepRunId: record.id, already: true, cacheHit: false, outputs: {}, error };
}

/** The step run of `node` that ended without succeeding (failed, cancelled or skipped), if any. */
function endedRecord(state: RunState, node: string): StepRunRecord | undefined {
  const st = state.states.get(node);
  return st === "failed" || st === "cancelled" || st === "skipped" ? (state.records.get(node) ?? []).slice(-1)[0] : undefined;
}

function already(run: RunRecord, step: string, record: StepRunRecord, outputs: Record<string, ArtifactRecord>): StepRunResult {
  return { runId: run.id, step, status: "succeeded", stepRunId: record.id, already: true, cacheHit: record.cacheHit, outputs };
}

/** The lease key that lets one executor at a time run a step of a run. */
export function taskLeaseKey(runId: string, step: string): string {
  return `task:${runId}:${step}`;
}

/**
 * Run one step of a recorded run here (see the module description). Resolves with the step's outcome; throws a
 * `KoanError` (recording nothing) when the request cannot be served: no such run (`NOT_FOUND`) or step, a run
 * that has ended (`USAGE`, or `RUN_CANCELLED`), upstream steps that have not succeeded (`USAGE`).
 */
export async function stepRun(options: StepRunOptions): Promise<StepRunResult> {
  const { koan, step } = options;
  const run = await koan.getRun(options.run);
  let state = await readRunState(koan.metadata, run.id);
  const node = state.node(step);
  if (!node) {
    throw new KoanError("NOT_FOUND", `run ${run.id} (pipeline "${run.pipeline}") has no step "${step}"`, { hint: `its steps: ${state.nodes.map((n) => n.name).join(", ")}` });
  }
  const ports = Object.keys(node.outputs);
  const earlier = state.succeeded(step);
  if (earlier) return already(run, step, earlier, await outputsOfStepRun(koan.metadata, earlier, ports));
  const over = endedRecord(state, step);
  if (over) return ended(run, step, over);
  if (run.status !== "running") {
    throw new KoanError(run.status === "cancelled" ? "RUN_CANCELLED" : "USAGE", `run ${run.id} is ${run.status}: its steps no longer run`, { hint: "start a new run" });
  }
  await inputsOf(koan, state, node);
  // Load (and check) the pipeline before taking the step's task lease: loading Koan and compiling the file can
  // hold the event loop longer than a lease lasts. A refusal is recorded under the lease, below.
  const checked = await loadChecked(koan, run, node, options).then(
    (value) => ({ ok: true as const, value }),
    (e: unknown) => ({ ok: false as const, error: isKoanError(e) ? e : new KoanError("PIPELINE_FILE_INVALID", messageOf(e), { cause: e }) }),
  );

  // Shard tasks: decide on a fan-out, or compute one shard (nothing recorded; the merge records the step).
  const mode = options.shards;
  if (checked.ok && mode !== undefined && (mode === "fan-out" || "shard" in mode)) {
    const config = configOf(run);
    const c = {
      runId: run.id,
      pipeline: checked.value.loaded.pipeline.name,
      node: checked.value.pnode,
      params: (config.params[step] ?? {}) as JsonValue,
      runSeed: config.seed,
      inputs: await inputsOf(koan, state, node),
      artifacts: koan.artifacts,
      metadata: koan.metadata,
      cache: config.cache,
      signal: options.signal ?? new AbortController().signal,
    };
    if (mode === "fan-out") {
      const n = await fanOutCount(c);
      if (n > 1) return { runId: run.id, step, status: "fan-out", shardCount: n, stepRunId: undefined, already: false, cacheHit: false, outputs: {} };
    } else {
      const part = await computeShard(c, (mode as { shard: ShardRef }).shard);
      return { runId: run.id, step, status: "succeeded", part, stepRunId: undefined, already: false, cacheHit: false, outputs: {} };
    }
  }

  // Stop when the caller aborts or the run is cancelled (read from the run record: works for every executor).
  const controller = new AbortController();
  const relay = (): void => controller.abort(new KoanError("RUN_CANCELLED", `step "${step}" of run ${run.id} was cancelled`));
  if (options.signal?.aborted) relay();
  options.signal?.addEventListener("abort", relay, { once: true });
  const poll = setInterval(() => {
    koan.metadata.getRun(run.id).then(
      (r) => {
        if (r && r.status !== "running") controller.abort(new KoanError("RUN_CANCELLED", `run ${run.id} was ${r.status === "cancelled" ? "cancelled" : `ended (${r.status})`} while step "${step}" ran`));
      },
      () => undefined,
    );
  }, options.cancelPollMs ?? 1000);
  poll.unref();
  const scratchRoot = join(tmpdir(), "koan", `${run.id}-${process.pid}-${newId("d").slice(-6)}`);
  try {
    // One executor at a time per step: the others wait, then find it succeeded (or take over from a dead one).
    const owner = `${hostname()}:${process.pid}:${newId("d")}`;
    const got = await cachedOrLease(
      koan.metadata,
      taskLeaseKey(run.id, step),
      owner,
      async () => {
        const s = await readRunState(koan.metadata, run.id);
        const done = s.succeeded(step);
        if (done) return { record: done, outputs: await outputsOfStepRun(koan.metadata, done, ports) };
        const other = endedRecord(s, step);
        return other ? { record: other, outputs: {} } : undefined;
      },
      controller.signal,
    );
    if (got.kind === "cached") {
      if (got.value.record.status === "succeeded") return already(run, step, got.value.record, got.value.outputs);
      return ended(run, step, got.value.record);
    }
    if (got.kind === "aborted") {
      const reason = controller.signal.reason;
      return { runId: run.id, step, status: "cancelled", stepRunId: undefined, already: false, cacheHit: false, outputs: {}, error: isKoanError(reason) ? reason : new KoanError("RUN_CANCELLED", `step "${step}" was cancelled`) };
    }
    try {
      state = await readRunState(koan.metadata, run.id);
      const takenOver = await discardStale(koan, state, step);
      if (!checked.ok) {
        const stepRunId = await recordRefusal(koan, run, node, checked.error);
        return { runId: run.id, step, status: "failed", stepRunId, already: false, cacheHit: false, outputs: {}, error: checked.error };
      }
      const { loaded } = checked.value;
      const parts = typeof mode === "object" && "parts" in mode ? mode.parts : undefined;
      const pnode = parts ? mergingNode(checked.value.pnode, koan.artifacts, parts) : checked.value.pnode;
      const inputs = await inputsOf(koan, state, node);
      const config = configOf(run);
      const env: RunEnv = {
        runId: run.id,
        pipeline: loaded.pipeline,
        pipelineFile: loaded.file,
        projectDir: koan.project.dir,
        stack: koan.stack,
        artifacts: koan.artifacts,
        metadata: koan.metadata,
        params: config.params,
        seed: config.seed,
        cache: config.cache,
        scratchRoot,
        signal: controller.signal,
        emit: options.onEvent ?? (() => undefined),
      };
      const result = await runNode(env, pnode, inputs);
      let mine = (await koan.metadata.listStepRuns(run.id)).find((s) => s.step === step);
      if (mine && takenOver.length) {
        // Remember the executors that died running this step (their step runs were discarded above).
        const meta = { ...(mine.meta as object), takenOver } as JsonValue;
        const { status: st, endedAt, durationMs, attempts, error, logBlob } = mine;
        await koan.metadata.finishStepRun(mine.id, { status: st, endedAt, durationMs, attempts, error, logBlob, meta }, []);
        mine = { ...mine, meta };
      }
      const status = result.status === "succeeded" ? "succeeded" : result.status === "cancelled" ? "cancelled" : "failed";
      return {
        runId: run.id,
        step,
        status,
        stepRunId: mine?.id,
        already: false,
        cacheHit: mine?.cacheHit ?? false,
        outputs: result.outputs,
        ...(result.error ? { error: result.error } : {}),
      };
    } finally {
      await got.lease.release();
    }
  } finally {
    clearInterval(poll);
    options.signal?.removeEventListener("abort", relay);
    await rm(scratchRoot, { recursive: true, force: true }).catch(() => undefined);
  }
}
