/**
 * An Argo `Workflow` for a pipeline: one DAG task per step, each running `koan step-run <run> <step>` in the
 * project's image, wired by the steps' inputs, with the step's resources (requests and limits; GPUs as the
 * configured extended resource), its deadline, and an Argo retry strategy for infrastructure errors (pods lost
 * with their node; a step's own failures are retried by `koan step-run` itself, `retries` times, so no attempt is
 * doubled). The stack's secrets are referenced from a Kubernetes Secret, never written into the manifest.
 *
 * A shardable step (src/shards/define.ts) fans out over its shards the way queue workers do: its task runs
 * `koan step-run --fan-out`, which runs the step unless it has several shards and no cached result, and outputs
 * the shard count (decided at run time, from the step's inputs); a `withSequence` task computes one shard per pod
 * (`--shard <i>/<n>`, its failures retried by Argo `retries` times); a merge task, when there were shards, merges
 * their results in shard order (`--parts`) and records the step. Downstream steps depend on the merge task (see
 * src/export/argo-tasks.ts and src/export/argo-shards.ts).
 *
 * Two shapes: *standalone* (`koan export argo`: a `koan-begin` task records a new run, whose id each step's task
 * passes to its template as the parameter `run-id`; an exit handler `koan workflow end` records how the run
 * ended), and *attached* (the `kubernetes` orchestrator: the run is already recorded, its id is written into each
 * step's command line).
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
import { fanOutCommand, mergeCommand, PART_FILE, shardCommand, SHARDS_FILE } from "./argo-shards.js";
import { BEGIN_TASK, DAG_TEMPLATE, END_TEMPLATE, finalTask, stepTasks, type StepTasks } from "./argo-tasks.js";

export { BEGIN_TASK, END_TEMPLATE, taskNames } from "./argo-tasks.js";

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

/** Global output parameter holding the run id (standalone shape). */
export const RUN_ID_PARAM = "koan-run-id";

function env(stack: StackConfig, secretName: string, extra: readonly { name: string; value: string }[]): V1EnvVar[] {
  return [
    { name: "KOAN_STACK", value: stack.name },
    { name: "NO_COLOR", value: "1" },
    ...extra,
    ...secretsOfStack(stack).map((s) => ({ name: secretEnvVar(s), valueFrom: { secretKeyRef: { name: secretName, key: s } } })),
  ];
}

/** A task's or a template's parameter. */
type Param = { name: string; value: string };

/** Standalone shape: the parameter passing the run id to each step's template. */
const RUN_ARG = "run-id";

/** The workflow of a pipeline; see the module description. */
export function argoWorkflow(o: ArgoOptions): ArgoWorkflow {
  if (/^\/|(^|\/)\.\.(\/|$)/.test(o.pipelineFile)) {
    throw new KoanError("USAGE", `pipeline file "${o.pipelineFile}" must be relative to the project's root, inside it`, { hint: "run koan export argo from the project, on a file inside it" });
  }
  const steps = stepTasks(o.pipeline);
  const secretName = o.secretName ?? "koan-secrets";
  const gpuResource = o.gpuResource ?? "nvidia.com/gpu";
  const standalone = o.runId === undefined;
  // Standalone: the begin task's output reaches each step's template as its input parameter (Argo resolves
  // `tasks.*` in a task's arguments, never inside a template).
  const runArg: Param[] = standalone ? [{ name: RUN_ARG, value: `{{tasks.${BEGIN_TASK}.outputs.parameters.run-id}}` }] : [];
  const runRef = standalone ? `{{inputs.parameters.${RUN_ARG}}}` : (o.runId as string);
  const container = (command: string[], extraEnv: { name: string; value: string }[] = []): Obj => ({
    image: o.image,
    command,
    env: env(o.stack, secretName, extraEnv),
    ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
  });
  const task = (name: string, depends: readonly string[], args: readonly Param[], extra: Obj = {}): Obj => ({
    name,
    template: name,
    ...(depends.length ? { depends: depends.join(" && ") } : {}),
    ...(args.length ? { arguments: { parameters: args.map((p) => ({ ...p })) } } : {}),
    ...extra,
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
    const t = steps.get(name);
    if (!node || !t) continue;
    const def = node.step;
    const resources = resourceRequirements(def.resources, gpuResource);
    const deadline = deadlineSeconds(node);
    /** A template running `command` for this step, with the step's resources, deadline and retries. */
    const leaf = (template: string, command: string[], io: { inputs?: readonly string[]; output?: { name: string; path: string }; retryPolicy?: "OnError" | "Always" } = {}): Obj => ({
      name: template,
      metadata: { labels: { "koan.dev/step": labelValue(name) } },
      ...(io.inputs?.length ? { inputs: { parameters: io.inputs.map((p) => ({ name: p })) } } : {}),
      ...(io.output ? { outputs: { parameters: [{ name: io.output.name, valueFrom: { path: io.output.path } }] } } : {}),
      ...(def.retries > 0
        ? { retryStrategy: { limit: String(def.retries), retryPolicy: io.retryPolicy ?? "OnError", backoff: { duration: `${Math.max(1, Math.ceil(def.retryDelayMs / 1000))}s`, factor: "2" } } }
        : {}),
      ...(deadline ? { activeDeadlineSeconds: String(deadline) } : {}),
      container: { ...container(command, [{ name: "KOAN_STEP", value: name }]), ...(resources ? { resources: structuredClone(resources) } : {}) },
    });
    const parents = [...new Set(Object.values(node.inputs).map((r) => finalTask(steps.get(r.node) as StepTasks)))].sort();
    tasks.push(task(t.task, [...(standalone ? [BEGIN_TASK] : []), ...parents], runArg));
    const runs = runArg.map((p) => p.name);
    if (!t.shard || !t.merge) {
      templates.push(leaf(t.task, stepRunCommand(runRef, name), { inputs: runs }));
      continue;
    }
    // A shardable step: the fan-out decides at run time (from its inputs, as queue workers do) how many shards,
    // one pod computes each, and the merge records the step; with no shards, the step's task has run it.
    const count = `{{tasks.${t.task}.outputs.parameters.shards}}`;
    templates.push(leaf(t.task, fanOutCommand(runRef, name), { inputs: runs, output: { name: "shards", path: SHARDS_FILE } }));
    tasks.push(task(t.shard, [t.task], [...runArg, { name: "shard", value: `{{item}}/${count}` }], { withSequence: { count } }));
    // A shard's own failures are retried by Argo (nothing inside retries them).
    templates.push(leaf(t.shard, shardCommand(runRef, name, "{{inputs.parameters.shard}}"), { inputs: [...runs, "shard"], output: { name: "part", path: PART_FILE }, retryPolicy: "Always" }));
    tasks.push(task(t.merge, [t.shard], [...runArg, { name: "parts", value: `{{tasks.${t.shard}.outputs.parameters}}` }], { when: `${count} > 0` }));
    templates.push(leaf(t.merge, mergeCommand(runRef, name, "{{inputs.parameters.parts}}"), { inputs: [...runs, "parts"] }));
  }
  templates.unshift({ name: DAG_TEMPLATE, dag: { tasks } });
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
      entrypoint: DAG_TEMPLATE,
      ...(standalone ? { onExit: END_TEMPLATE } : {}),
      ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
      templates,
    },
  };
}
