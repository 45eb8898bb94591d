/** `koan gc`: delete runs and what only they used. @module */
import { KoanError } from "../../core/errors.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function gc(opts: ProjectOptions & { run: string[]; before?: string; dryRun?: boolean; json?: boolean }): Promise<number> {
  if (!opts.run.length && !opts.before) throw new KoanError("USAGE", "name runs with --run <id> or give --before <date>", { hint: "add --dry-run to see what would go" });
  return withClient(opts, async (koan) => {
    const r = await koan.gc({ runs: opts.run, ...(opts.before ? { before: opts.before } : {}), dryRun: Boolean(opts.dryRun) });
    if (opts.json) printJson({ dryRun: Boolean(opts.dryRun), ...r });
    else if (opts.dryRun) process.stdout.write(`would delete ${r.runs.length} run(s): ${r.runs.join(", ") || "none"}\n`);
    else process.stdout.write(`deleted ${r.runs.length} run(s), ${r.artifacts.length} artifact(s), ${r.blobs.length} blob(s)\n`);
    return EXIT.ok;
  });
}
