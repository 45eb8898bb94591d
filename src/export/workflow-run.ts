/**
 * The two entry points an external workflow engine runs around `koan step-run` when it owns the run (the
 * standalone Argo Workflow of `koan export argo`): `begin` records a new run (pipeline, resolved parameters,
 * seed, environment, stack) exactly as `koan run` would, and `end` records how it ended from its step runs.
 * @module
 */
import { resolve } from "node:path";
import type { Koan } from "../client/client.js";
import { KoanError } from "../core/errors.js";
import { parseParamFlags, type ParamOverrides } from "../core/params.js";
import { loadPipelineFile } from "../loader/pipeline-file.js";
import type { RunStatus, StoredError } from "../stores/metadata/types.js";

/** Options of {@link beginRun}. */
export interface BeginOptions {
  /** The pipeline file (relative to the project, or absolute inside it). */
  pipelineFile: string;
  /** `--param step.name=value` flags. */
  params?: readonly string[];
}

/**
 * Record a new run of a pipeline file, owned by no process (the engine runs its steps); returns its id. Bad
 * parameters fail before anything is recorded.
 */
export async function beginRun(koan: Koan, options: BeginOptions): Promise<string> {
  const loaded = await loadPipelineFile(resolve(koan.project.dir, options.pipelineFile));
  const { overrides, raw } = parseParamFlags(options.params ?? []);
  const run = await koan.createRun(loaded.pipeline, { params: overrides as ParamOverrides, rawParams: raw, pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
  return run.id;
}

/** Map an Argo workflow status (`{{workflow.status}}`) onto a run status. */
export function runStatusOf(engineStatus: string): Exclude<RunStatus, "running"> {
  switch (engineStatus) {
    case "Succeeded":
      return "succeeded";
    case "Failed":
    case "Error":
      return "failed";
    default:
      return "cancelled";
  }
}

/**
 * Record the end of run `runId`: steps still `running` become failed (or cancelled), and the run's status is the
 * engine's, downgraded to failed when a step failed. Returns the status recorded.
 */
export async function endRun(koan: Koan, runId: string, engineStatus: string): Promise<Exclude<RunStatus, "running">> {
  const run = await koan.metadata.getRun(runId);
  if (!run) throw new KoanError("NOT_FOUND", `no run "${runId}" in the stack's metadata store`, { hint: "was koan workflow begin run against the same stack?" });
  if (run.status !== "running") return run.status as Exclude<RunStatus, "running">;
  let status = runStatusOf(engineStatus);
  const at = new Date().toISOString();
  const steps = await koan.metadata.listStepRuns(runId);
  if (steps.some((s) => s.status === "running")) await koan.metadata.endRunningSteps(runId, status === "cancelled" ? "cancelled" : "failed", at);
  const failed = steps.find((s) => s.status === "failed");
  if (failed && status === "succeeded") status = "failed";
  const error: StoredError | null =
    status === "succeeded"
      ? null
      : failed?.error
        ? failed.error
        : { code: status === "cancelled" ? "RUN_CANCELLED" : "STEP_FAILED", message: `the workflow ended ${engineStatus}` };
  await koan.metadata.finishRun(runId, status, at, error);
  return status;
}
