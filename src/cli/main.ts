/**
 * The `koan` command line. Each command's implementation is imported only when that command runs, so
 * `koan --help` loads no store driver, TF.js or cloud SDK.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { KOAN_VERSION } from "../version.js";
import { EXIT, reportError } from "./output.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const json = (): Option => new Option("--json", "print machine-readable JSON only");
const project = (): Option => new Option("-C, --project <dir>", "the project folder (default: this folder or the nearest parent with .koan/)");
const stackOpt = (): Option => new Option("--stack <name>", "use this stack instead of the active one");

/** Wrap a command module so it is imported only when the command runs. */
function lazy<A extends unknown[]>(load: () => Promise<{ default: (...args: A) => Promise<number> }>) {
  return async (...args: A): Promise<void> => {
    const mod = await load();
    process.exitCode = await mod.default(...args);
  };
}

export function buildProgram(): Command {
  const program = new Command("koan")
    .description("Reproducible machine-learning pipelines for TypeScript")
    .version(KOAN_VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .enablePositionalOptions()
    .exitOverride();

  program
    .command("init")
    .description("create .koan/ (config, artifact store, metadata store) in a folder")
    .argument("[dir]", "project folder", ".")
    .addOption(json())
    .action(lazy(() => import("./commands/init.js")));

  program
    .command("run")
    .description("run a pipeline file (a .ts file that default-exports pipeline(...))")
    .argument("<file>", "pipeline file")
    .option("-p, --param <step.name=value>", "override a step parameter (repeatable)", collect, [])
    .option("-c, --config <file>", "YAML or JSON file with params, seed, concurrency")
    .option("--no-cache", "recompute every step")
    .option("--seed <n>", "override the pipeline seed")
    .option("--concurrency <n>", "steps running at once")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/run.js")));

  const runs = program.command("runs").description("list runs, newest first").enablePositionalOptions();
  runs
    .option("--pipeline <name>", "only this pipeline")
    .option("--status <status>", "only runs with this status")
    .option("-n, --limit <n>", "how many", "20")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/runs.js")));
  runs
    .command("show")
    .description("a run's steps, status, parameters, artifacts and logs")
    .argument("<run>", "run id (or unique prefix)")
    .option("--logs", "print each step's captured log")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/runs-show.js")));

  const artifacts = program.command("artifacts").description("list, inspect, export and verify artifacts");
  artifacts
    .command("list", { isDefault: true })
    .description("recent artifacts")
    .option("-n, --limit <n>", "how many", "20")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/artifacts-list.js")));
  artifacts
    .command("show")
    .description("an artifact's record")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/artifacts-show.js")));
  artifacts
    .command("cat")
    .description("print an artifact's content (JSON values, bytes, a file's content, a folder's listing)")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .addOption(project())
    .action(lazy(() => import("./commands/artifacts-cat.js")));
  artifacts
    .command("export")
    .description("copy an artifact's content into a folder")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .argument("<dir>", "destination folder (created; must be empty)")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/artifacts-export.js")));
  artifacts
    .command("verify")
    .description("re-hash every stored blob; exit 1 when any is missing or corrupt")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/artifacts-verify.js")));

  program
    .command("lineage")
    .description("where an artifact came from (or, with --down, what was derived from it)")
    .argument("<artifact>", "artifact id (or prefix) or run/step/output")
    .option("--down", "walk downstream instead of upstream")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/lineage.js")));

  program
    .command("gc")
    .description("delete runs (named, or older than a date) and the artifacts only they used")
    .option("--run <id>", "a run to delete (repeatable)", collect, [])
    .option("--before <date>", "delete finished runs started before this date")
    .option("--dry-run", "only list what would be deleted")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("./commands/gc.js")));

  return program;
}

/** Run the CLI with argv; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    return reportError(e, argv.includes("--json"));
  }
}

