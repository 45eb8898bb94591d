/** `koan workflow begin <file> --run-id-file <path>`: record a new run for a workflow engine. @module */
import { writeFile } from "node:fs/promises";
import { beginRun } from "../../export/workflow-run.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT } from "../output.js";

export default async function workflowBegin(file: string, opts: ProjectOptions & { runIdFile: string; workflow?: string; param: string[] }): Promise<number> {
  return withClient(opts, async (koan) => {
    const id = await beginRun(koan, { pipelineFile: file, params: opts.param });
    await writeFile(opts.runIdFile, id);
    process.stdout.write(`recorded run ${id}${opts.workflow ? ` for workflow ${opts.workflow}` : ""}\n`);
    return EXIT.ok;
  });
}
