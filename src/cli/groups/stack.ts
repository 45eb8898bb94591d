/** The stack and secret commands: register, list, use, describe and delete stacks; set, list and delete secrets. @module */
import type { Command } from "commander";
import { collect, json, lazy, project } from "../options.js";

export function registerStacks(program: Command): void {
  const stack = program.command("stack").description("named sets of components (artifact store, metadata store, orchestrator)");
  stack
    .command("register")
    .description("add a stack; every component is validated before anything is written")
    .argument("<name>", "stack name")
    .requiredOption("--artifact-store <uri>", "file:///path or a path, s3://bucket/prefix?endpoint=&region=&forcePathStyle=, gs://bucket/prefix, azure://account/container/prefix")
    .requiredOption("--metadata-store <uri>", "sqlite:///path.db or a .db path, postgres://user@host:port/db (password as {{secret:NAME}})")
    .option("--orchestrator <flavor>", "orchestrator flavor, with config as flavor?key=value&... (e.g. kubernetes?namespace=ml)", "local")
    .option("--step-backend <name=spec>", "a named step backend: name=vertex?region=..&machineType=.., name=kubernetes?namespace=.., or name=@file.yaml (repeatable)", collect, [])
    .option("--use", "make it the active stack")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stack-register.js")));
  stack
    .command("list")
    .description("the project's stacks (the active one marked)")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stack-list.js")));
  stack
    .command("use")
    .description("make a stack the active one")
    .argument("<name>", "stack name")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stack-use.js")));
  stack
    .command("describe")
    .description("validate a stack and check each component is reachable; exit 1 when one is not")
    .argument("[name]", "stack name (default: the active one)")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stack-describe.js")));
  stack
    .command("delete")
    .description("remove a stack from the project (not the active one; its stores are left as they are)")
    .argument("<name>", "stack name")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stack-delete.js")));

  const secret = program.command("secret").description("secrets referenced by component configs as {{secret:NAME}} (kept outside the repository)");
  secret
    .command("set")
    .description("store a secret; the value is read from stdin, or prompted for without echo (never from arguments)")
    .argument("<name>", "secret name")
    .addOption(json())
    .action(lazy(() => import("../commands/secret-set.js")));
  secret
    .command("list")
    .description("names of the secrets available here and where each comes from (never values)")
    .addOption(json())
    .action(lazy(() => import("../commands/secret-list.js")));
  secret
    .command("delete")
    .description("remove a secret from the secrets file")
    .argument("<name>", "secret name")
    .addOption(json())
    .action(lazy(() => import("../commands/secret-delete.js")));
}
