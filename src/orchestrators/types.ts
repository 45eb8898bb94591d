/**
 * Orchestrators decide when (and, for distributed flavors, where) each step of a run executes. The local flavor
 * runs steps in this process with bounded concurrency; the `queue` flavor hands them to `koan worker` processes
 * through Redis (see docs/distributed.md).
 * @module
 */
import type { Pipeline } from "../core/pipeline.js";
import type { RunEnv, StackConfig } from "../runner/types.js";
import type { MetadataStore, RunRecord, RunStatus } from "../stores/metadata/types.js";
import type { StepFailedError } from "../core/errors.js";

/** Outcome of executing a whole run. */
export interface RunOutcome {
  status: Exclude<RunStatus, "running" | "interrupted">;
  /** Failures of step code, in the order they happened. */
  failures: StepFailedError[];
}

/** What an orchestrator can check before a run is recorded ({@link Orchestrator.check}). */
export interface RunPlan {
  readonly pipeline: Pipeline;
  /** The file the pipeline came from, if any. */
  readonly pipelineFile: string | undefined;
  readonly projectDir: string;
  readonly stack: StackConfig;
}

/** A recorded run handed to an orchestrator that runs it without this process ({@link Orchestrator.submit}). */
export interface SubmittedRun {
  /** The run as recorded (status `running`). */
  readonly run: RunRecord;
  /** The stack's metadata store (the run's state is read from it). */
  readonly metadata: MetadataStore;
}

/** Executes the DAG of a run. */
export interface Orchestrator {
  readonly flavor: string;
  execute(env: RunEnv, options: { concurrency: number }): Promise<RunOutcome>;
  /**
   * True when runs go on without the process that started them (workers elsewhere execute the steps). Such runs
   * are recorded with `pid` 0, so no client ever marks them `interrupted` because that process ended.
   */
  readonly detached?: boolean;
  /**
   * Check, before a run is recorded or anything is submitted, that the orchestrator can run `plan` (its service
   * answers, the stack's stores are reachable from where steps run, ...); throws a `KoanError` saying why not
   * (the queue flavor: `ORCHESTRATOR_UNAVAILABLE` when Redis does not answer).
   */
  check?(plan: RunPlan): Promise<void>;
  /** Start executing a recorded run and return at once (`koan run --detach`). Only for `detached` orchestrators. */
  submit?(submitted: SubmittedRun): Promise<void>;
  /**
   * Drop the tasks of a cancelled run that have not started (steps already running notice the cancelled run
   * record and stop). Called by `koan runs cancel` after the run is recorded `cancelled`.
   */
  cancel?(cancelled: SubmittedRun): Promise<void>;
}
