/** `koan export argo <file> --image <ref>`: print an Argo Workflow of a pipeline (YAML on stdout). @module */
import { stringify } from "yaml";
import { loadPipelineFile } from "../../loader/pipeline-file.js";
import { stackOf } from "../../project/config.js";
import { projectAt } from "../../stack/project.js";
import { checkImageRef } from "../../backends/build/build.js";
import { argoWorkflow } from "../../export/argo.js";
import { projectRelative } from "../../orchestrators/kubernetes/orchestrator.js";
import { EXIT } from "../output.js";

export default async function exportArgo(
  file: string,
  opts: { image: string; namespace?: string; serviceAccount?: string; secretName: string; gpuResource: string; param: string[]; stack?: string; project?: string },
): Promise<number> {
  checkImageRef(opts.image);
  const project = await projectAt(opts.project);
  const loaded = await loadPipelineFile(file);
  const workflow = argoWorkflow({
    pipeline: loaded.pipeline,
    pipelineFile: projectRelative(project.dir, loaded.file),
    image: opts.image,
    stack: stackOf(project.config, opts.stack),
    namespace: opts.namespace,
    serviceAccountName: opts.serviceAccount,
    secretName: opts.secretName,
    gpuResource: opts.gpuResource,
    params: opts.param,
  });
  process.stdout.write(`# Argo Workflow of pipeline "${loaded.pipeline.name}" (koan export argo); submit with: argo submit workflow.yaml\n${stringify(workflow, { lineWidth: 0 })}`);
  return EXIT.ok;
}
