/**
 * The `koan` command line. Commands are registered by groups (one file each in ./groups); each command's
 * implementation is imported only when it runs, so `koan --help` loads no store driver, TF.js or cloud SDK.
 * @module
 */
import { Command, CommanderError } from "commander";
import { KOAN_VERSION } from "../version.js";
import { EXIT, reportError } from "./output.js";
import { registerCore } from "./groups/core.js";
import { registerServing } from "./groups/serving.js";
import { registerUi } from "./groups/ui.js";
import { registerData } from "./groups/data.js";
import { registerStacks } from "./groups/stack.js";
import { registerRemote } from "./groups/remote.js";
import { registerReports } from "./groups/reports.js";
import { registerDistributed } from "./groups/distributed.js";

/** Command groups, in help order. */
const groups: ((program: Command) => void)[] = [registerCore, registerData, registerUi, registerStacks, registerServing, registerReports, registerRemote, registerDistributed];

export function buildProgram(): Command {
  const program = new Command("koan")
    .description("Reproducible machine-learning pipelines for TypeScript")
    .version(KOAN_VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .enablePositionalOptions()
    .exitOverride();

  for (const register of groups) register(program);
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

