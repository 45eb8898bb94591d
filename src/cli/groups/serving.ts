/** The serving commands: serve, deploy, deployments, undeploy, predict. @module */
import { Option, type Command } from "commander";
import { collect, json, lazy, project, stackOpt } from "../options.js";

export function registerServing(program: Command): void {
  program
    .command("serve")
    .description("serve a model bundle over the V2 (REST + gRPC), TF Serving and Vertex AI protocols until SIGTERM")
    .argument("<bundle>", "run id, bundle artifact (id or run/step/output), or a folder holding an exported bundle")
    .option("--port <n>", "REST port (default: AIP_HTTP_PORT, else 8080; 0 = any free port)")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--name <name>", "model name in the API (default: the bundle's)")
    .option("--grpc-port <n>", "gRPC port", "8081")
    .option("--no-grpc", "no gRPC server")
    .option("--max-batch-size <n>", "most rows per micro-batch", "64")
    .option("--max-wait-ms <ms>", "longest wait for a micro-batch to fill", "0")
    .option("--no-batching", "predict every request on its own")
    .option("--max-body-bytes <n>", "largest request body", String(16 << 20))
    .addOption(new Option("--ready-file <file>", "write {pid, port, url} here once listening").hideHelp())
    .addOption(stackOpt())
    .addOption(project())
    .action(lazy(() => import("../commands/serve.js")));

  program
    .command("deploy")
    .description("deploy a model bundle to a target: local, docker, seldon, kserve, vertex (or a deployer flavor of yours)")
    .argument("<bundle>", "run id, bundle artifact (id or run/step/output), or a folder holding an exported bundle")
    .requiredOption("--to <target>", "deployer: local, docker, seldon, kserve, vertex")
    .option("--name <name>", "model / resource name")
    .option("--force", "deploy even if the model is not blessed")
    .option("--dry-run", "print what would be deployed (manifests, request bodies); create and record nothing")
    .option("--port <n>", "local: REST port (default: any free port)")
    .option("--grpc-port <n>", "local: gRPC port (default: none)")
    .option("--image <image>", "docker: image tag; seldon, kserve, vertex: the server image")
    .option("--out <path>", "docker: build-context folder; seldon, kserve: manifest file")
    .option("--namespace <ns>", "seldon, kserve: namespace")
    .option("--replicas <n>", "seldon: replicas; kserve: min = max replicas")
    .option("--model-uri <uri>", "seldon, kserve, vertex: where the platform fetches the bundle (gs://, s3://, ...)")
    .option("--apply", "seldon, kserve: apply the manifest to the configured cluster")
    .option("--gcp-project <id>", "vertex: Google Cloud project (default GOOGLE_CLOUD_PROJECT)")
    .option("--region <region>", "vertex: region", "us-central1")
    .option("--endpoint <id>", "vertex: existing endpoint id (default: create one)")
    .option("--machine-type <type>", "vertex: machine type")
    .option("-o, --option <key=value>", "any deployer config value (repeatable)", collect, [])
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/deploy.js")));

  program
    .command("deployments")
    .description("live deployments with their health")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/deployments.js")));

  program
    .command("undeploy")
    .description("stop or delete a deployment and record it")
    .argument("<id>", "deployment id (or unique prefix)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/undeploy.js")));

  program
    .command("predict")
    .description("score a dataset with a model bundle in streaming batches, writing a predictions dataset")
    .argument("<bundle>", "run id, bundle artifact, or an exported bundle folder")
    .argument("<dataset>", "dataset artifact (id or run/step/output) or dataset folder")
    .option("--out <dir>", "output dataset folder (new or empty)", "predictions")
    .option("--split <name>", "only this split (repeatable)", collect, [])
    .option("--batch-size <n>", "rows per predict call", "256")
    .option("--keep <column>", "copy this input column into the output (repeatable)", collect, [])
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/predict.js")));
}
