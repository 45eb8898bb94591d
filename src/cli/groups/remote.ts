/**
 * Commands for running steps away from this machine: `koan build` (the image remote steps run), `koan export
 * argo` (an Argo Workflow of a pipeline), and `koan workflow begin|end` (what such a Workflow runs around
 * `koan step-run`). See docs/step-backends.md and docs/kubernetes.md.
 * @module
 */
import type { Command } from "commander";
import { collect, json, lazy, project, stackOpt } from "../options.js";

/** Register `build`, `export argo` and `workflow begin|end`. */
export function registerRemote(program: Command): void {
  program
    .command("build")
    .description("write the build context of the image remote steps run (the project, its lockfile, npm ci), build and push it where Docker answers, and record its reference")
    .option("--image <ref>", "image reference, e.g. us-central1-docker.pkg.dev/<project>/koan/app:v1 (default koan-<package>:<commit>)")
    .option("--out <dir>", "build-context folder (default .koan/build/context)")
    .option("--base-image <image>", "Node base image", "node:20-slim")
    .option("--no-docker", "only write the build context")
    .option("--push", "push the image after building it")
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/build.js")));

  const exp = program.command("export").description("export a pipeline to another workflow engine");
  exp
    .command("argo")
    .description("print an Argo Workflow running each step as `koan step-run` in the project's image")
    .argument("<file>", "pipeline file (inside the project)")
    .requiredOption("--image <ref>", "the project's image (see koan build)")
    .option("--namespace <ns>", "namespace written into the manifest")
    .option("--service-account <name>", "service account of the Workflow's pods")
    .option("--secret-name <name>", "Kubernetes Secret holding the stack's secrets", "koan-secrets")
    .option("--gpu-resource <name>", "extended resource name of a GPU", "nvidia.com/gpu")
    .option("-p, --param <step.name=value>", "a parameter the run gets (repeatable)", collect, [])
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/export-argo.js")));

  const wf = program.command("workflow").description("entry points a workflow engine runs around koan step-run (used by koan export argo)");
  wf.command("begin")
    .description("record a new run of a pipeline file and write its id to a file")
    .argument("<file>", "pipeline file (relative to the project)")
    .requiredOption("--run-id-file <path>", "where to write the run id")
    .option("--workflow <name>", "the engine's name for this execution")
    .option("-p, --param <step.name=value>", "override a step parameter (repeatable)", collect, [])
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/workflow-begin.js")));
  wf.command("end")
    .description("record how a run ended (steps still running become failed or cancelled)")
    .argument("<run-id>", "the run")
    .requiredOption("--status <status>", "the engine's final status (Succeeded, Failed, Error, ...)")
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/workflow-end.js")));
}
