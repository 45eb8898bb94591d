/** Starting the run of a schedule (in a worker's task process): an ordinary run, submitted to the queue. @module */
import { resolve } from "node:path";
import type { Koan } from "../../client/client.js";
import { parseParamFlags, type ParamOverrides } from "../../core/params.js";
import { loadPipelineFile } from "../../loader/pipeline-file.js";
import type { ScheduleTask } from "./tasks.js";

/** Load the schedule's pipeline file in this project and submit a run of it; returns the run id. */
export async function startScheduledRun(koan: Koan, task: ScheduleTask): Promise<string> {
  const loaded = await loadPipelineFile(resolve(koan.project.dir, task.pipelinePath));
  const { overrides, raw } = parseParamFlags(task.params);
  const run = await koan.submit(loaded.pipeline, { params: overrides as ParamOverrides, rawParams: raw, cache: !task.noCache, pipelineFile: loaded.file, sourceHash: loaded.sourceHash });
  return run.id;
}
