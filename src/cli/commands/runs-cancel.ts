/** `koan runs cancel <run>`: stop a run on every worker (see src/orchestrators/cancel.ts). @module */
import "../../orchestrators/flavors.js";
import { createComponent } from "../../core/flavor.js";
import { messageOf } from "../../core/errors.js";
import { cancelRun } from "../../orchestrators/cancel.js";
import type { Orchestrator } from "../../orchestrators/types.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

/** Run the command; resolves to the exit code. */
export default async function runsCancel(runRef: string, flags: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(flags, async (koan) => {
    const run = await koan.getRun(runRef);
    const c = koan.stack.orchestrator;
    const warn = (why: string): void => {
      if (!flags.json) process.stderr.write(`warning: the run's queued tasks were not dropped (${why}); workers skip them when they reach them\n`);
    };
    const orchestrator = await createComponent<Orchestrator>("orchestrator", c.flavor, c.config, { projectDir: koan.project.dir }).catch((e: unknown) => {
      warn(messageOf(e));
      return undefined;
    });
    const r = await cancelRun(koan.metadata, run, orchestrator ? { orchestrator } : {});
    if (r.dropError) warn(r.dropError);
    if (flags.json) printJson({ runId: r.run.id, status: r.run.status, how: r.how, forced: r.forced });
    else {
      process.stderr.write(`cancelled run ${r.run.id}${r.how === "signal" ? ` (its process ${run.pid} stopped it)` : ""}\n`);
      if (r.forced.length) process.stderr.write(`steps still running were recorded cancelled: ${r.forced.join(", ")}\n`);
    }
    return EXIT.ok;
  });
}
