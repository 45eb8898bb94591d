/**
 * Orchestrators decide when (and, for distributed flavors, where) each step of a run executes. The local flavor
 * runs steps in this process with bounded concurrency; queue and Kubernetes flavors come with later issues.
 * @module
 */
import type { RunEnv } from "../runner/types.js";
import type { RunStatus } from "../stores/metadata/types.js";
import type { StepFailedError } from "../core/errors.js";

/** Outcome of executing a whole run. */
export interface RunOutcome {
  status: Exclude<RunStatus, "running" | "interrupted">;
  /** Failures of step code, in the order they happened. */
  failures: StepFailedError[];
}

/** Executes the DAG of a run. */
export interface Orchestrator {
  readonly flavor: string;
  execute(env: RunEnv, options: { concurrency: number }): Promise<RunOutcome>;
}
