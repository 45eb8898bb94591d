/** Looking at runs: `koan compare` and `koan ui` (the dashboard). @module */
import type { Command } from "commander";
import { json, lazy, project, stackOpt } from "../options.js";

export function registerUi(program: Command): void {
  program
    .command("compare")
    .description("what differs between runs: parameters, code, dataset versions, metrics (best marked)")
    .argument("<runs...>", "two or more run ids (or unique prefixes)")
    .option("--all", "also show parameters and versions that are the same in every run")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/compare.js")));

  program
    .command("ui")
    .description("serve the dashboard: runs, DAGs, lineage, artifacts, metrics, comparisons (read-only)")
    .option("--port <n>", "port (0 for any free one)", "4242")
    .option("--host <host>", "interface to bind; anything but loopback requires a token", "127.0.0.1")
    .option("--token <token>", "require this token on every request (generated when --host is not loopback)")
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/ui.js")));
}
