/**
 * The Koan client: the one API the CLI, the dashboard, notebooks and tests use to run pipelines and read what
 * runs recorded.
 *
 * @example
 * ```ts
 * import { Koan } from "koan";
 * import quickstart from "./examples/quickstart/pipeline.js";
 *
 * const koan = await Koan.open({ dir: ".", init: true });
 * const result = await koan.run(quickstart, { params: { trainer: { epochs: 100 } } });
 * console.log(result.status, await koan.lineage(`${result.runId}/bundle/bundle`));
 * await koan.close();
 * ```
 * @module
 */
import { mkdir, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import "../stores/flavors.js";
import "../orchestrators/flavors.js";
import { KoanError } from "../core/errors.js";
import { createComponent } from "../core/flavor.js";
import { hashJson, type JsonValue } from "../core/hash.js";
import { newId } from "../core/ids.js";
import type { Pipeline } from "../core/pipeline.js";
import { resolveParams, deepMerge, type ParamOverrides } from "../core/params.js";
import { storedError } from "../runner/node.js";
import type { RunEvent, StackConfig, RunEnv } from "../runner/types.js";
import type { Orchestrator } from "../orchestrators/types.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import { checkBlob, readBlob } from "../stores/artifact/verify.js";
import type { ArtifactRecord, MetadataStore, RunQuery, RunRecord, RunStatus, StepRunRecord } from "../stores/metadata/types.js";
import { findProjectDir, initProject, readProject, type Project } from "../project/project.js";
import { stackOf } from "../project/config.js";
import { stackRecord } from "../stack/record.js";
import { captureEnvironment } from "./environment.js";
import { lineageOf, type LineageGraph } from "./lineage.js";
import { loadMaterializer } from "../materializers/registry.js";
import { blobReader } from "../runner/io.js";
import { StepFailedError } from "../core/errors.js";
import { planBackends } from "../backends/plan.js";
import { processAlive as pidAlive } from "../core/process.js";

/** Options of {@link Koan.open}. */
export interface OpenOptions {
  /** Where to look for the project (default: the current folder, then its parents). */
  dir?: string;
  /** Create `.koan/` in `dir` when no project is found (default false). */
  init?: boolean;
  /** Use this stack instead of the active one. */
  stack?: string;
}

/** Options of {@link Koan.run}. */
export interface RunOptions {
  /** Parameter overrides per step (from a config file and/or `--param`). */
  params?: ParamOverrides;
  /** Original text of `--param` values (see `resolveParams`). */
  rawParams?: ReadonlyMap<string, string>;
  /** Reuse cached results (default true). */
  cache?: boolean;
  /** Override the pipeline's seed. */
  seed?: number;
  /** Override the pipeline's concurrency. */
  concurrency?: number;
  /** The file the pipeline came from (recorded; needed by `isolation: "process"`). */
  pipelineFile?: string;
  /** Hash of the pipeline's source file (default: a hash of its spec). */
  sourceHash?: string;
  /** Cancel the run. */
  signal?: AbortSignal;
  /** Progress events. */
  onEvent?: (event: RunEvent) => void;
  /** Per-run step backends: step name → backend name of the stack (`--backend train=gpu`; `local` runs it here). */
  backends?: Readonly<Record<string, string>>;
}

/**
 * Options of {@link Koan.createRun} and {@link Koan.submit}: those of a run, without the ones that only make sense
 * while this process executes it (progress events, a cancel signal, step backends).
 */
export type CreateRunOptions = Omit<RunOptions, "signal" | "onEvent" | "backends">;

/** What {@link Koan.run} returns. */
export interface RunResult {
  runId: string;
  status: Exclude<RunStatus, "running" | "interrupted">;
  durationMs: number;
  steps: StepRunRecord[];
  /** Output artifacts per step and port. */
  outputs: Record<string, Record<string, ArtifactRecord>>;
  /** The first step failure, if any (a StepFailedError with the user's error as cause). */
  error?: StepFailedError;
}

/** Step runs in the pipeline's (topological) order. */
function inPipelineOrder(steps: StepRunRecord[], order: readonly string[]): StepRunRecord[] {
  const pos = new Map(order.map((n, i) => [n, i] as const));
  return [...steps].sort((a, b) => (pos.get(a.step) ?? 1e9) - (pos.get(b.step) ?? 1e9));
}

/** An open project with its stack. */
export class Koan {
  /** Folder for values loaded by {@link load} (files and folders); removed by {@link close}. */
  private readonly scratch = join(tmpdir(), "koan", `client-${process.pid}-${newId("d")}`);

  private constructor(
    readonly project: Project,
    readonly stack: StackConfig,
    readonly artifacts: ArtifactStore,
    readonly metadata: MetadataStore,
    private readonly orchestrator: Orchestrator,
    /** True when `open` created the project. */
    readonly created: boolean,
  ) {}

  /** Open the project at or above `dir` (creating it with `init`), its stack's stores, and mark dead runs interrupted. */
  static async open(options: OpenOptions = {}): Promise<Koan> {
    const start = options.dir ?? process.cwd();
    const found = findProjectDir(start);
    let project: Project;
    let created = false;
    if (found) project = await readProject(found);
    else if (options.init) ({ project, created } = await initProject(start));
    else throw new KoanError("PROJECT_NOT_FOUND", `no Koan project at or above ${start}`, { hint: "run `koan init` here" });
    const stack = stackOf(project.config, options.stack);
    const ctx = { projectDir: project.dir };
    const artifacts = await createComponent<ArtifactStore>("artifact-store", stack.artifactStore.flavor, stack.artifactStore.config, ctx);
    let metadata: MetadataStore | undefined;
    try {
      metadata = await createComponent<MetadataStore>("metadata-store", stack.metadataStore.flavor, stack.metadataStore.config, ctx);
      const orchestrator = await createComponent<Orchestrator>("orchestrator", stack.orchestrator.flavor, stack.orchestrator.config, ctx);
      const koan = new Koan(project, stack, artifacts, metadata, orchestrator, created);
      await koan.markInterrupted();
      return koan;
    } catch (e) {
      // Close what was opened, so a failed open leaves no handle (or connection pool) behind.
      await metadata?.close().catch(() => undefined);
      await artifacts.close().catch(() => undefined);
      throw e;
    }
  }

  /** Runs left `running` by a process on this host that no longer exists become `interrupted`. */
  private async markInterrupted(): Promise<void> {
    const host = hostname();
    for (const r of await this.metadata.runningRuns()) {
      // pid 0: a run no process owns (created for remote executors, or submitted to a queue's workers).
      if (r.pid > 0 && r.host === host && r.pid !== process.pid && !pidAlive(r.pid)) {
        const at = new Date().toISOString();
        await this.metadata.endRunningSteps(r.id, "interrupted", at);
        await this.metadata.finishRun(r.id, "interrupted", at, { code: "INTERRUPTED", message: `the process running it (pid ${r.pid}) ended without finishing the run` });
      }
    }
  }

  /** Validate a run's options and record it (status `running`); `owned`: this process executes it (else pid 0). */
  private async recordRun(
    p: Pipeline,
    options: CreateRunOptions,
    extra: { owned: boolean; config?: { [key: string]: JsonValue } },
  ): Promise<{ record: RunRecord; params: RunEnv["params"]; seed: number; concurrency: number; cache: boolean }> {
    const params = await resolveParams(p, options.params ?? {}, options.rawParams);
    const seed = options.seed ?? p.seed;
    const concurrency = options.concurrency ?? p.concurrency;
    if (!Number.isInteger(seed)) throw new KoanError("USAGE", `seed must be an integer, got ${seed}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new KoanError("USAGE", `concurrency must be a whole number ≥ 1, got ${concurrency}`);
    const cache = options.cache ?? true;
    const startedAt = new Date();
    const spec = p.spec();
    const stackInfo = stackRecord(this.stack, this);
    const environment = await captureEnvironment(this.project.dir);
    // The pipeline file relative to the project, so `koan step-run` finds it in a checkout or image elsewhere.
    const rel = options.pipelineFile ? relative(this.project.dir, options.pipelineFile) : undefined;
    const pipelinePath: { [key: string]: JsonValue } = rel && !rel.startsWith("..") && !isAbsolute(rel) ? { pipelinePath: rel.split("\\").join("/") } : {};
    const record = (id: string): RunRecord => ({
      id,
      pipeline: p.name,
      status: "running",
      startedAt: startedAt.toISOString(),
      endedAt: null,
      pipelineFile: options.pipelineFile ?? null,
      sourceHash: options.sourceHash ?? hashJson(spec.nodes.map((n) => [n.name, n.codeHash])),
      config: { seed, concurrency, cache, params, ...pipelinePath, ...(extra.config ?? {}) },
      environment,
      stack: stackInfo,
      spec: spec as unknown as RunRecord["spec"],
      error: null,
      host: hostname(),
      pid: extra.owned ? process.pid : 0,
    });
    // Run ids are unique: the store refuses a duplicate, and a clash with another process's run takes a new id.
    let runId = newId("r");
    for (let tries = 0; ; tries++) {
      try {
        const made = record(runId);
        await this.metadata.createRun(made);
        return { record: made, params, seed, concurrency, cache };
      } catch (e) {
        if (tries >= 4 || !(await this.metadata.getRun(runId))) throw e;
        runId = newId("r");
      }
    }
  }

  /**
   * Record a run without executing it, for remote executors: each step then runs with `koan step-run <run> <step>`
   * (see `stepRun` in src/runner/step-run.ts), in any process or machine that uses this stack. The run belongs to
   * no process (pid 0), so no client marks it interrupted when this one ends. Bad parameters fail before anything
   * is recorded.
   *
   * @example
   * ```ts
   * const loaded = await loadPipelineFile("pipeline.ts");
   * const run = await koan.createRun(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
   * // then, in any process using this stack: koan step-run <run.id> <step>
   * ```
   */
  async createRun(p: Pipeline, options: CreateRunOptions = {}): Promise<RunRecord> {
    if ((options as RunOptions).backends) throw new KoanError("USAGE", "step backends do not apply to a run created for remote executors: each step runs where `koan step-run` runs it");
    return (await this.recordRun(p, options, { owned: false })).record;
  }

  /**
   * Start a run on the stack's orchestrator and return at once, without following it (`koan run --detach`): the
   * run is recorded and its first steps are handed to the orchestrator (the `queue` flavor's workers). Follow it
   * with `koan runs show <id>`, stop it with `koan runs cancel <id>`. Refused (`USAGE`) by an orchestrator that
   * executes steps in this process; an unreachable orchestrator fails before anything is recorded.
   *
   * @example
   * ```ts
   * const run = await koan.submit(loaded.pipeline, { pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
   * console.log(`started ${run.id}`);
   * ```
   */
  async submit(p: Pipeline, options: CreateRunOptions = {}): Promise<RunRecord> {
    const orchestrator = this.orchestrator;
    if (!orchestrator.detached || !orchestrator.submit) {
      throw new KoanError("USAGE", `the ${orchestrator.flavor} orchestrator of stack "${this.stack.name}" runs steps in this process, so a run cannot be detached from it`, {
        hint: "use a stack with the queue orchestrator (see docs/distributed.md), or run without --detach",
      });
    }
    await orchestrator.check?.({ pipeline: p, pipelineFile: options.pipelineFile, projectDir: this.project.dir, stack: this.stack });
    const { record } = await this.recordRun(p, options, { owned: false });
    try {
      await orchestrator.submit({ run: record, metadata: this.metadata });
    } catch (e) {
      await this.metadata.finishRun(record.id, "failed", new Date().toISOString(), storedError(e));
      throw e;
    }
    return record;
  }

  /** Run a pipeline. Bad parameters fail before anything is recorded. */
  async run(p: Pipeline, options: RunOptions = {}): Promise<RunResult> {
    // Where steps run (step backends): refused here, before anything is recorded or submitted.
    await this.orchestrator.check?.({ pipeline: p, pipelineFile: options.pipelineFile, projectDir: this.project.dir, stack: this.stack });
    const backends = await planBackends({ pipeline: p, stack: this.stack, projectDir: this.project.dir, overrides: options.backends });
    let recorded;
    try {
      recorded = await this.recordRun(p, options, { owned: !this.orchestrator.detached, ...(backends ? { config: { backends: backends.record() } } : {}) });
    } catch (e) {
      await backends?.close();
      throw e;
    }
    const { record, params, seed, concurrency, cache } = recorded;
    const runId = record.id;
    const startedAt = new Date(record.startedAt);
    const scratchRoot = join(tmpdir(), "koan", runId);
    await mkdir(scratchRoot, { recursive: true });
    const controller = new AbortController();
    const relay = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) relay();
    options.signal?.addEventListener("abort", relay, { once: true });
    const emit = options.onEvent ?? (() => undefined);
    const env: RunEnv = {
      runId,
      pipeline: p,
      pipelineFile: options.pipelineFile,
      projectDir: this.project.dir,
      stack: this.stack,
      artifacts: this.artifacts,
      metadata: this.metadata,
      params,
      seed,
      cache,
      scratchRoot,
      signal: controller.signal,
      emit,
      ...(backends ? { backends: backends.nodes } : {}),
    };
    emit({ type: "run-started", runId, pipeline: p.name, steps: [...p.order] });
    let outcome;
    try {
      outcome = await this.orchestrator.execute(env, { concurrency });
    } catch (e) {
      await this.metadata.endRunningSteps(runId, "failed", new Date().toISOString());
      await this.metadata.finishRun(runId, "failed", new Date().toISOString(), storedError(e));
      throw e;
    } finally {
      options.signal?.removeEventListener("abort", relay);
      await backends?.close();
    }
    const endedAt = new Date();
    if (outcome.status === "cancelled") await this.metadata.endRunningSteps(runId, "cancelled", endedAt.toISOString());
    const error = outcome.failures[0];
    await this.metadata.finishRun(
      runId,
      outcome.status,
      endedAt.toISOString(),
      error ? storedError(error) : outcome.status === "cancelled" ? { code: "RUN_CANCELLED", message: "the run was cancelled" } : null,
    );
    const durationMs = endedAt.getTime() - startedAt.getTime();
    await rm(scratchRoot, { recursive: true, force: true }).catch(() => undefined);
    emit({ type: "run-finished", runId, status: outcome.status, durationMs });
    const steps = inPipelineOrder(await this.metadata.listStepRuns(runId), p.order);
    return { runId, status: outcome.status, durationMs, steps, outputs: await this.outputsOf(steps), ...(error ? { error } : {}) };
  }

  private async outputsOf(steps: StepRunRecord[]): Promise<Record<string, Record<string, ArtifactRecord>>> {
    const events = await this.metadata.eventsOfStepRuns(steps.map((s) => s.id));
    const out: Record<string, Record<string, ArtifactRecord>> = {};
    for (const s of steps) {
      for (const e of events.filter((x) => x.stepRunId === s.id && x.kind === "output")) {
        const a = await this.metadata.getArtifact(e.artifactId);
        if (a) (out[s.step] ??= {})[e.port] = a;
      }
    }
    return out;
  }

  /** Runs, newest first. */
  runs(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.metadata.listRuns(query);
  }

  /** A run by id or unique id prefix. */
  async getRun(idOrPrefix: string): Promise<RunRecord> {
    const exact = await this.metadata.getRun(idOrPrefix);
    if (exact) return exact;
    const found = await this.metadata.findRuns(idOrPrefix, 2);
    if (found.length === 1 && found[0]) return found[0];
    if (found.length > 1) throw new KoanError("USAGE", `run id prefix "${idOrPrefix}" is ambiguous`, { hint: "give more characters of the id" });
    throw new KoanError("NOT_FOUND", `no run "${idOrPrefix}"`, { hint: "list runs with `koan runs`" });
  }

  /** A run's step runs with their input and output artifacts. */
  async runDetails(idOrPrefix: string): Promise<{ run: RunRecord; steps: (StepRunRecord & { inputs: Record<string, string>; outputs: Record<string, string> })[] }> {
    const run = await this.getRun(idOrPrefix);
    const specNodes = (run.spec as { nodes?: { name: string }[] } | null)?.nodes ?? [];
    const steps = inPipelineOrder(await this.metadata.listStepRuns(run.id), specNodes.map((n) => n.name));
    const events = await this.metadata.eventsOfStepRuns(steps.map((s) => s.id));
    return {
      run,
      steps: steps.map((s) => {
        const mine = events.filter((e) => e.stepRunId === s.id);
        return {
          ...s,
          inputs: Object.fromEntries(mine.filter((e) => e.kind === "input").map((e) => [e.port, e.artifactId])),
          outputs: Object.fromEntries(mine.filter((e) => e.kind === "output").map((e) => [e.port, e.artifactId])),
        };
      }),
    };
  }

  /** The captured log of a step run ("" when none). */
  async stepLog(stepRun: StepRunRecord): Promise<string> {
    if (!stepRun.logBlob) return "";
    return (await readBlob(this.artifacts, stepRun.logBlob)).toString("utf8");
  }

  /**
   * Resolve an artifact reference: an artifact id (or unique prefix), or `run/step/output` (run id or prefix).
   */
  async resolveArtifact(ref: string): Promise<ArtifactRecord> {
    const parts = ref.split("/");
    if (parts.length === 3) {
      const [runRef, stepName, port] = parts as [string, string, string];
      const { steps } = await this.runDetails(runRef);
      const s = steps.find((x) => x.step === stepName);
      if (!s) throw new KoanError("NOT_FOUND", `run ${runRef} has no step "${stepName}"`, { hint: `steps: ${steps.map((x) => x.step).join(", ")}` });
      const id = s.outputs[port];
      if (!id) throw new KoanError("NOT_FOUND", `step "${stepName}" of run ${runRef} has no output "${port}"`, { hint: `outputs: ${Object.keys(s.outputs).join(", ") || "none"}` });
      return (await this.metadata.getArtifact(id)) as ArtifactRecord;
    }
    const exact = await this.metadata.getArtifact(ref);
    if (exact) return exact;
    const found = await this.metadata.findArtifacts(ref, 2);
    if (found.length === 1 && found[0]) return found[0];
    if (found.length > 1) throw new KoanError("USAGE", `artifact id prefix "${ref}" is ambiguous`);
    throw new KoanError("NOT_FOUND", `no artifact "${ref}"`, { hint: "give an artifact id or run/step/output" });
  }

  /** Load an artifact's value through the materializer that wrote it (hashes are verified). */
  async load(ref: string | ArtifactRecord, scratch?: string): Promise<unknown> {
    const a = typeof ref === "string" ? await this.resolveArtifact(ref) : ref;
    const dir = scratch ?? join(this.scratch, a.id);
    return (await loadMaterializer(a.materializer, a.materializerVersion)).load(a.contentHash, a.materializerVersion, blobReader(this.artifacts, dir));
  }

  /** Lineage graph of an artifact: upstream to raw inputs, or downstream to everything derived from it. */
  lineage(ref: string | ArtifactRecord, direction: "up" | "down" = "up"): Promise<LineageGraph> {
    return lineageOf(this, ref, direction);
  }

  /** Re-hash every blob of every artifact (and step logs). */
  async verify(): Promise<{ checked: number; problems: { artifact: string; blob: string; status: "missing" | "corrupt" }[] }> {
    const problems: { artifact: string; blob: string; status: "missing" | "corrupt" }[] = [];
    const seen = new Map<string, "ok" | "missing" | "corrupt">();
    for (let offset = 0; ; offset += 500) {
      const page = await this.metadata.listArtifacts({ limit: 500, offset });
      for (const a of page) {
        for (const blob of await this.metadata.artifactBlobs(a.id)) {
          let status = seen.get(blob);
          if (!status) {
            status = await checkBlob(this.artifacts, blob);
            seen.set(blob, status);
          }
          if (status !== "ok") problems.push({ artifact: a.id, blob, status });
        }
      }
      if (page.length < 500) break;
    }
    return { checked: seen.size, problems };
  }

  /**
   * Delete runs (named, or all finished runs started before a date) and the artifacts and blobs only they used.
   * Running runs are never deleted.
   */
  async gc(options: { runs?: readonly string[]; before?: string; dryRun?: boolean }): Promise<{ runs: string[]; artifacts: string[]; blobs: string[] }> {
    const ids = new Set<string>();
    for (const r of options.runs ?? []) ids.add((await this.getRun(r)).id);
    if (options.before) {
      const before = new Date(options.before);
      if (Number.isNaN(before.getTime())) throw new KoanError("USAGE", `--before "${options.before}" is not a date`, { hint: "use e.g. 2026-01-31 or 2026-01-31T12:00:00Z" });
      for (;;) {
        const page = await this.metadata.listRuns({ before: before.toISOString(), limit: 1000, offset: 0 });
        const fresh = page.filter((r) => !ids.has(r.id));
        fresh.forEach((r) => ids.add(r.id));
        if (page.length < 1000 || fresh.length === 0) break;
      }
    }
    for (const id of ids) {
      const r = await this.metadata.getRun(id);
      if (r?.status === "running") ids.delete(id);
    }
    const list = [...ids].sort();
    if (options.dryRun) return { runs: list, artifacts: [], blobs: [] };
    const dead = await this.metadata.deleteRuns(list);
    for (const b of dead.blobs) await this.artifacts.delete(b);
    return { runs: list, ...dead };
  }

  /** Merge a config object (`{ params, seed, concurrency }`) into run options. */
  static withConfig(options: RunOptions, config: { params?: ParamOverrides; seed?: number; concurrency?: number }): RunOptions {
    return {
      ...options,
      params: deepMerge((config.params ?? {}) as Record<string, unknown>, (options.params ?? {}) as Record<string, unknown>) as ParamOverrides,
      ...(config.seed !== undefined && options.seed === undefined ? { seed: config.seed } : {}),
      ...(config.concurrency !== undefined && options.concurrency === undefined ? { concurrency: config.concurrency } : {}),
    };
  }

  async close(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true }).catch(() => undefined);
    await this.metadata.close();
    await this.artifacts.close();
  }
}
