/** `koan workflow end <run-id> --status <status>`: record how a workflow engine's run ended. @module */
import { endRun } from "../../export/workflow-run.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT } from "../output.js";

export default async function workflowEnd(runId: string, opts: ProjectOptions & { status: string }): Promise<number> {
  return withClient(opts, async (koan) => {
    const status = await endRun(koan, runId, opts.status);
    process.stdout.write(`run ${runId} ${status}\n`);
    return status === "succeeded" ? EXIT.ok : EXIT.failed;
  });
}
