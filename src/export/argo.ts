/**
 * An Argo `Workflow` for a pipeline: one DAG task per step, each running `koan step-run <run> <step>` in the
 * project's image, wired by the steps' inputs, with the step's resources (requests and limits; GPUs as the
 * configured extended resource), its deadline, and an Argo retry strategy for infrastructure errors (pods lost
 * with their node; a step's own failures are retried by `koan step-run` itself, `retries` times, so no attempt is
 * doubled). The stack's secrets are referenced from a Kubernetes Secret, never written into the manifest.
 *
 * Two shapes: *standalone* (`koan export argo`: a `koan-begin` task records a new run and passes its id to every
 * step; an exit handler `koan workflow end` records how the run ended), and *attached* (the `kubernetes`
 * orchestrator: the run is already recorded, its id is written into each step's command line).
 *
 * @example
 * ```sh
 * koan export argo pipelines/train.ts --image us-central1-docker.pkg.dev/acme/koan/app:3f2a1c > workflow.yaml
 * argo submit -n ml workflow.yaml
 * ```
 * @module
 */
import type { V1EnvVar } from "@kubernetes/client-node";
import { KoanError } from "../core/errors.js";
import type { Pipeline } from "../core/pipeline.js";
import { deadlineSeconds, jobLabels, labelValue, secretsOfStack, stepRunCommand } from "../backends/job.js";
import { resourceRequirements } from "../backends/kubernetes/manifest.js";
import type { StackConfig } from "../runner/types.js";
import { secretEnvVar } from "../secrets/names.js";
import { dnsName } from "../serving/deploy/container.js";
import { KOAN_VERSION } from "../version.js";

/** A plain JSON object (the manifest's parts). */
export type Obj = { [key: string]: unknown };

/** An Argo Workflow manifest. */
export interface ArgoWorkflow {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Workflow";
  metadata: { name?: string; generateName?: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Obj & { entrypoint: string; templates: Obj[] };
}

/** Options of {@link argoWorkflow}. */
export interface ArgoOptions {
  pipeline: Pipeline;
  /** The pipeline file, relative to the project's root (which is the image's working directory). */
  pipelineFile: string;
  /** The project's image (see `koan build`). */
  image: string;
  /** The stack the steps use (its name, and the secrets its stores reference). */
  stack: StackConfig;
  namespace?: string | undefined;
  serviceAccountName?: string | undefined;
  /** Kubernetes Secret holding the stack's secrets, one key per secret name. */
  secretName?: string | undefined;
  /** Extended resource name of a GPU. */
  gpuResource?: string | undefined;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never" | undefined;
  /** Attached shape: the run already recorded (the kubernetes orchestrator). Standalone when absent. */
  runId?: string | undefined;
  /** Standalone shape: `--param step.name=value` flags the begin task passes on. */
  params?: readonly string[] | undefined;
}

/** Name of the task recording the run (standalone shape). */
export const BEGIN_TASK = "koan-begin";
/** Name of the exit handler's template (standalone shape). */
export const END_TEMPLATE = "koan-end";
/** Global output parameter holding the run id (standalone shape). */
export const RUN_ID_PARAM = "koan-run-id";

/** Task names: DNS-1123 labels, unique, derived from the step names. */
export function taskNames(pipeline: Pipeline): Map<string, string> {
  const used = new Set<string>([BEGIN_TASK, END_TEMPLATE, "koan"]);
  const out = new Map<string, string>();
  for (const n of pipeline.order) {
    const base = dnsName(n).slice(0, 57);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    out.set(n, name);
  }
  return out;
}

function env(stack: StackConfig, secretName: string, extra: readonly { name: string; value: string }[]): V1EnvVar[] {
  return [
    { name: "KOAN_STACK", value: stack.name },
    { name: "NO_COLOR", value: "1" },
    ...extra,
    ...secretsOfStack(stack).map((s) => ({ name: secretEnvVar(s), valueFrom: { secretKeyRef: { name: secretName, key: s } } })),
  ];
}

/** The workflow of a pipeline; see the module description. */
export function argoWorkflow(o: ArgoOptions): ArgoWorkflow {
  if (/^\/|(^|\/)\.\.(\/|$)/.test(o.pipelineFile)) {
    throw new KoanError("USAGE", `pipeline file "${o.pipelineFile}" must be relative to the project's root, inside it`, { hint: "run koan export argo from the project, on a file inside it" });
  }
  const names = taskNames(o.pipeline);
  const secretName = o.secretName ?? "koan-secrets";
  const gpuResource = o.gpuResource ?? "nvidia.com/gpu";
  const standalone = o.runId === undefined;
  const runRef = standalone ? `{{tasks.${BEGIN_TASK}.outputs.parameters.run-id}}` : (o.runId as string);
  const container = (command: string[], extraEnv: { name: string; value: string }[] = []): Obj => ({
    image: o.image,
    command,
    env: env(o.stack, secretName, extraEnv),
    ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
  });

  const tasks: Obj[] = [];
  const templates: Obj[] = [];
  if (standalone) {
    tasks.push({ name: BEGIN_TASK, template: BEGIN_TASK });
    const params = (o.params ?? []).flatMap((p) => ["--param", p]);
    templates.push({
      name: BEGIN_TASK,
      container: container(["koan", "workflow", "begin", o.pipelineFile, "--stack", o.stack.name, "--workflow", "{{workflow.name}}", "--run-id-file", "/tmp/koan-run-id", ...params]),
      outputs: { parameters: [{ name: "run-id", globalName: RUN_ID_PARAM, valueFrom: { path: "/tmp/koan-run-id" } }] },
    });
    templates.push({
      name: END_TEMPLATE,
      container: container(["koan", "workflow", "end", `{{workflow.outputs.parameters.${RUN_ID_PARAM}}}`, "--stack", o.stack.name, "--status", "{{workflow.status}}"]),
    });
  }
  for (const name of o.pipeline.order) {
    const node = o.pipeline.node(name);
    if (!node) continue;
    const task = names.get(name) as string;
    const parents = [...new Set(Object.values(node.inputs).map((r) => names.get(r.node) as string))].sort();
    const depends = [...(standalone ? [BEGIN_TASK] : []), ...parents];
    tasks.push({ name: task, template: task, ...(depends.length ? { depends: depends.join(" && ") } : {}) });
    const resources = resourceRequirements(node.step.resources, gpuResource);
    const deadline = deadlineSeconds(node);
    const def = node.step;
    templates.push({
      name: task,
      metadata: { labels: { "koan.dev/step": labelValue(name) } },
      ...(def.retries > 0
        ? { retryStrategy: { limit: String(def.retries), retryPolicy: "OnError", backoff: { duration: `${Math.max(1, Math.ceil(def.retryDelayMs / 1000))}s`, factor: "2" } } }
        : {}),
      ...(deadline ? { activeDeadlineSeconds: String(deadline) } : {}),
      container: { ...container(stepRunCommand(runRef, name), [{ name: "KOAN_STEP", value: name }]), ...(resources ? { resources } : {}) },
    });
  }
  templates.unshift({ name: "koan", dag: { tasks } });
  const labels = { ...jobLabels(o.runId ?? "", o.pipeline.name, "all") };
  delete (labels as Record<string, string>)["koan.dev/step"];
  if (standalone) delete (labels as Record<string, string>)["koan.dev/run"];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      ...(standalone ? { generateName: `koan-${dnsName(o.pipeline.name).slice(0, 40)}-` } : { name: `koan-${dnsName(o.pipeline.name).slice(0, 30)}-${labelValue(o.runId as string).split("-").pop()?.slice(0, 12)}` }),
      ...(o.namespace ? { namespace: o.namespace } : {}),
      labels,
      annotations: { "koan.dev/pipeline-file": o.pipelineFile, "koan.dev/koan-version": KOAN_VERSION },
    },
    spec: {
      entrypoint: "koan",
      ...(standalone ? { onExit: END_TEMPLATE } : {}),
      ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
      templates,
    },
  };
}
