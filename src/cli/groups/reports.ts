/** Sharing a run's results: `koan report` (self-contained HTML) and `koan notebook` (Jupyter, Deno kernel). @module */
import type { Command } from "commander";
import { json, lazy, project, stackOpt } from "../options.js";

export function registerReports(program: Command): void {
  program
    .command("report")
    .description("write one self-contained HTML report of a run: statistics, schema, anomalies, training curves, sliced metrics")
    .argument("<run>", "run id (or unique prefix)")
    .option("-o, --out <file>", "where to write it (default: report-<run>.html; - for stdout)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/report.js")));

  program
    .command("notebook")
    .description("write a Jupyter notebook (Deno's TypeScript kernel) that opens a run and shows its results")
    .argument("<run>", "run id (or unique prefix)")
    .option("-o, --out <file>", "where to write it (default: <pipeline>-<run>.ipynb)")
    .option("--import <specifier>", "how the notebook imports Koan (default: this installation's file URL)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/notebook.js")));
}
