/** The core commands: init, run, runs, artifacts, lineage, gc. @module */
import type { Command } from "commander";
import { collect, json, lazy, project, stackOpt } from "../options.js";

export function registerCore(program: Command): void {
  program
    .command("init")
    .description("create .koan/ (config, artifact store, metadata store) in a folder")
    .argument("[dir]", "project folder", ".")
    .addOption(json())
    .action(lazy(() => import("../commands/init.js")));

  program
    .command("run")
    .description("run a pipeline file (a .ts file that default-exports pipeline(...))")
    .argument("<file>", "pipeline file")
    .option("-p, --param <step.name=value>", "override a step parameter (repeatable)", collect, [])
    .option("-c, --config <file>", "YAML or JSON file with params, seed, concurrency")
    .option("--no-cache", "recompute every step")
    .option("--seed <n>", "override the pipeline seed")
    .option("--concurrency <n>", "steps running at once")
    .option("--backend <step=name>", "run a step on this step backend of the stack (repeatable; name local runs it here)", collect, [])
    .option("--detach", "start the run on the stack's queue orchestrator and return at once (follow with koan runs show <id> --follow)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/run.js")));

  const runs = program.command("runs").description("list runs, newest first").enablePositionalOptions();
  runs
    .option("--pipeline <name>", "only this pipeline")
    .option("--status <status>", "only runs with this status")
    .option("-n, --limit <n>", "how many", "20")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/runs.js")));
  runs
    .command("show")
    .description("a run's steps, status, parameters, artifacts and logs; --follow: then each step's progress until the run ends")
    .argument("<run>", "run id (or unique prefix)")
    .option("--logs", "print each step's captured log (with --follow: as it is written)")
    .option("-f, --follow", "follow a running run: a line per step status change, until it ends (exit 0 succeeded, 1 otherwise; Ctrl-C stops following, not the run)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/runs-show.js")));

  const artifacts = program.command("artifacts").description("list, inspect, export and verify artifacts");
  artifacts
    .command("list", { isDefault: true })
    .description("recent artifacts")
    .option("-n, --limit <n>", "how many", "20")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/artifacts-list.js")));
  artifacts
    .command("show")
    .description("an artifact's record")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/artifacts-show.js")));
  artifacts
    .command("cat")
    .description("print an artifact's content (JSON values, bytes, a file's content, a folder's listing)")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .addOption(project())
    .action(lazy(() => import("../commands/artifacts-cat.js")));
  artifacts
    .command("export")
    .description("copy an artifact's content into a folder")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .argument("<dir>", "destination folder (created; must be empty)")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/artifacts-export.js")));
  artifacts
    .command("verify")
    .description("re-hash every stored blob; exit 1 when any is missing or corrupt")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/artifacts-verify.js")));

  program
    .command("lineage")
    .description("where an artifact came from (or, with --down, what was derived from it)")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .option("--down", "walk downstream instead of upstream")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/lineage.js")));

  program
    .command("gc")
    .description("delete runs (named, or older than a date) and the artifacts only they used")
    .option("--run <id>", "a run to delete (repeatable)", collect, [])
    .option("--before <date>", "delete finished runs started before this date")
    .option("--dry-run", "only list what would be deleted")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/gc.js")));

}
