/**
 * Running pipelines beyond one process: `koan step-run` (one step of a recorded run: the entry point of every
 * remote executor), `koan worker` (serve a queue stack), `koan runs cancel` (stop a run on every worker),
 * `koan schedule add|list|remove` (runs on a cron pattern). See docs/distributed.md.
 * @module
 */
import type { Command } from "commander";
import { collect, json, lazy, project, stackOpt } from "../options.js";

/** Register the distributed commands (after the core group: `runs cancel` joins its `runs`). */
export function registerDistributed(program: Command): void {
  program
    .command("step-run")
    .description("run one step of a recorded run here (what queue workers, Argo tasks and step jobs run); exit 0 when it succeeded")
    .argument("<run>", "run id (or unique prefix)")
    .argument("<step>", "step name")
    .option("--pipeline-file <file>", "load the pipeline from this file (default: the run's, relative to the project)")
    .option("--allow-version-mismatch", "run even when this Koan's version differs from the run's")
    .option("--fan-out", "a shardable step with several shards prints their count instead of running (any other step runs as usual)")
    .option("--shard <i/n>", "compute shard i (0-based) of n of a shardable step and print its result's hash (nothing recorded)")
    .option("--parts <hashes>", "run a shardable step by merging its shards' results (hashes in shard order: comma-separated, or a JSON array)")
    .option("--result-file <file>", "also write the answer of --fan-out (the shard count, 0 when the step ran) or --shard (the result's hash) to this file")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/step-run.js")));

  program
    .command("worker")
    .description("take step tasks of a queue stack from Redis and run them (Ctrl-C: finish the running ones and stop)")
    .option("--concurrency <n>", "tasks at once", "1")
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/worker.js")));

  // `koan runs cancel` joins the `runs` command of the core group.
  const runs = program.commands.find((c) => c.name() === "runs");
  runs
    ?.command("cancel")
    .description("stop a run: on every worker for a queued run, with Ctrl-C for a local run on this machine")
    .argument("<run>", "run id (or unique prefix)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/runs-cancel.js")));

  const schedule = program.command("schedule").description("runs of a pipeline file on a cron pattern or interval (queue stacks)");
  schedule
    .command("add")
    .description("add (or replace) a schedule; each time it fires, a worker starts an ordinary tracked run")
    .argument("<file>", "pipeline file (inside the project)")
    .option("--cron <pattern>", 'cron pattern, e.g. "0 3 * * *" (6 fields: seconds first)')
    .option("--every <interval>", "or an interval: 30s, 15m, 1h, or ms")
    .option("--tz <zone>", "time zone of the cron pattern, e.g. Europe/Paris")
    .option("--name <name>", "schedule name (default: the pipeline's name)")
    .option("-p, --param <step.name=value>", "a parameter of every run (repeatable)", collect, [])
    .option("--no-cache", "recompute every step in each run")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(async () => ({ default: (await import("../commands/schedule.js")).add })));
  schedule
    .command("list")
    .description("the stack's schedules, with when each fires next")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(async () => ({ default: (await import("../commands/schedule.js")).list })));
  schedule
    .command("remove")
    .description("remove a schedule (runs it started go on)")
    .argument("<name>", "schedule name")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(async () => ({ default: (await import("../commands/schedule.js")).remove })));
}
