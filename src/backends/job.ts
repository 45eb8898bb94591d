/**
 * The job for one step of one run: its name, the `koan step-run` command line every remote executor runs, plain
 * environment, the names of the secrets it needs, its deadline and labels. Shared by the step backends and the
 * Argo export, so every executor runs a step the same way.
 * @module
 */
import type { PipelineNode } from "../core/pipeline.js";
import type { StackConfig } from "../runner/types.js";
import { secretRefsIn } from "../secrets/names.js";
import { dnsName } from "../serving/deploy/container.js";
import { KOAN_VERSION } from "../version.js";
import type { EnvVar, StepJob } from "./types.js";

/** Seconds added to a step's own time budget for pulling the image, starting Node and loading the pipeline. */
export const STARTUP_SLACK_SECONDS = 600;

/**
 * The command line a remote executor runs for one step: `koan step-run <run-id> <step>`. The run record in the
 * metadata store holds everything else (pipeline file, parameters, seed, stack).
 */
export function stepRunCommand(runId: string, step: string): string[] {
  return ["koan", "step-run", runId, step];
}

/** A label value Kubernetes accepts (at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends). */
export function labelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** Labels put on every job Koan submits. */
export function jobLabels(runId: string, pipeline: string, step: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "koan",
    "koan.dev/run": labelValue(runId),
    "koan.dev/pipeline": labelValue(pipeline),
    "koan.dev/step": labelValue(step),
    "koan.dev/version": labelValue(KOAN_VERSION),
  };
}

/** A job name: `koan-<step>-<run id's random part>`, DNS-1123 and at most 63 characters. */
export function jobName(runId: string, step: string): string {
  const tail = (runId.split("-").pop() ?? runId).toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 12) || "run";
  const head = dnsName(step).slice(0, 63 - "koan-".length - tail.length - 1).replace(/-+$/, "");
  return `koan-${head}-${tail}`;
}

/** Names of the secrets the stores of `stack` reference (a remote step needs them as KOAN_SECRET_<NAME>). */
export function secretsOfStack(stack: StackConfig): string[] {
  return secretRefsIn([stack.artifactStore.config, stack.metadataStore.config]);
}

/** The whole time a step may take, from its timeout, retries and retry delays (undefined when it has no timeout). */
export function deadlineSeconds(node: PipelineNode): number | undefined {
  const def = node.step;
  if (def.timeoutMs === undefined) return undefined;
  let delays = 0;
  for (let i = 0; i < def.retries; i++) delays += def.retryDelayMs * 2 ** i;
  return Math.ceil((def.timeoutMs * (def.retries + 1) + delays) / 1000) + STARTUP_SLACK_SECONDS;
}

/** Build the job of `node` in run `runId`. */
export function stepJob(args: {
  runId: string;
  pipeline: string;
  node: PipelineNode;
  image: string;
  stack: StackConfig;
  backendName: string;
  env?: Readonly<Record<string, string>>;
}): StepJob {
  const { runId, node } = args;
  const env: EnvVar[] = [
    { name: "KOAN_RUN_ID", value: runId },
    { name: "KOAN_STEP", value: node.name },
    { name: "KOAN_STACK", value: args.stack.name },
    { name: "KOAN_STEP_BACKEND", value: args.backendName },
    { name: "NO_COLOR", value: "1" },
    ...Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return {
    name: jobName(runId, node.name),
    runId,
    pipeline: args.pipeline,
    step: node.name,
    image: args.image,
    command: stepRunCommand(runId, node.name),
    env,
    secrets: secretsOfStack(args.stack),
    resources: node.step.resources,
    deadlineSeconds: deadlineSeconds(node),
    labels: jobLabels(runId, args.pipeline, node.name),
  };
}
