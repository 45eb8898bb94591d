/**
 * The `kubernetes` orchestrator: runs every step of a run on a Kubernetes cluster through Argo Workflows. The run
 * is recorded here as usual; the Workflow (see src/export/argo.ts, attached shape) runs `koan step-run <run>
 * <step>` per step (a shardable step fans out over its shards: one pod per shard, then a merge pod), and each
 * records its step run in the stack's stores. This side submits the Workflow, follows its nodes (step starts,
 * retries, pod messages — shard and merge pods' too — become progress events of their step), and when it ends
 * records what the cluster could not: steps whose pods never ran or were killed (failed, with Argo's message,
 * also when a shard's pod failed) and steps left out after a failure (skipped). Ctrl-C terminates the Workflow.
 * @module
 */
import { relative, sep } from "node:path";
import { KoanError, StepFailedError, messageOf } from "../../core/errors.js";
import { loadKubeConfig } from "../../backends/kubernetes/api.js";
import { stepImage } from "../../backends/image.js";
import { unreachableStores } from "../../backends/plan.js";
import { recordSkipped, recordStepEnd } from "../../backends/record.js";
import { argoWorkflow, type ArgoWorkflow } from "../../export/argo.js";
import { templateSteps, type TaskRole } from "../../export/argo-tasks.js";
import type { RunEnv } from "../../runner/types.js";
import type { StepRunRecord } from "../../stores/metadata/types.js";
import type { Orchestrator, RunOutcome, RunPlan } from "../types.js";
import { workflowsApi, type WorkflowNode, type WorkflowResource, type WorkflowsApi } from "./api.js";
import { sleep } from "../../core/sleep.js";

/** Config of the kubernetes orchestrator. */
export interface KubernetesOrchestratorConfig {
  namespace: string;
  /** Kubeconfig context (default: the current one). */
  context?: string | undefined;
  /** The project's image (default: the one `koan build` recorded). */
  image?: string | undefined;
  serviceAccountName?: string | undefined;
  secretName: string;
  gpuResource: string;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never" | undefined;
  pollMs: number;
  /** How long the Workflow may go without starting any step before it is terminated (ms). */
  startTimeoutMs: number;
}

/** What the orchestrator needs from outside (tests give an API over a fake server). */
export interface KubernetesOrchestratorDeps {
  api?: WorkflowsApi;
  now?: () => number;
}

const DONE = new Set(["Succeeded", "Failed", "Error"]);

/** The pipeline file relative to the project root (the image's working directory); refuses one outside it. */
export function projectRelative(projectDir: string, file: string): string {
  const rel = relative(projectDir, file).split(sep).join("/");
  if (!rel || rel.startsWith("../") || rel === ".." || /^[A-Za-z]:|^\//.test(rel)) {
    throw new KoanError("USAGE", `pipeline file ${file} is not inside the project at ${projectDir}`, { hint: "the image holds the project: keep pipeline files inside it" });
  }
  return rel;
}

/** A pod of the Workflow, with what it runs for its step. */
interface StepPod {
  pod: WorkflowNode;
  role: TaskRole;
}

/** The pod nodes of each step (its task's, retries included, and a shardable step's shard and merge pods), by step, oldest first. */
function podsByStep(wf: WorkflowResource, roles: ReadonlyMap<string, { step: string; role: TaskRole }>): Map<string, StepPod[]> {
  const out = new Map<string, StepPod[]>();
  for (const pod of Object.values(wf.status?.nodes ?? {})) {
    const of = pod.type === "Pod" && pod.templateName ? roles.get(pod.templateName) : undefined;
    if (!of) continue;
    const list = out.get(of.step) ?? [];
    list.push({ pod, role: of.role });
    out.set(of.step, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.pod.startedAt ?? "").localeCompare(b.pod.startedAt ?? ""));
  return out;
}

/** How a pod is named in progress lines: `pod <id>`, a shard or merge pod with its Argo name (`statistics-shard(2:2)`). */
function podLabel({ pod, role }: StepPod): string {
  return `${role === "step" ? "" : `${role} `}pod ${pod.id ?? pod.name ?? ""}${role === "shard" && pod.displayName ? ` (${pod.displayName})` : ""}`;
}

/** The kubernetes (Argo Workflows) orchestrator. */
export class KubernetesOrchestrator implements Orchestrator {
  readonly flavor = "kubernetes";
  private api: WorkflowsApi | undefined;

  constructor(
    private readonly config: KubernetesOrchestratorConfig,
    private readonly deps: KubernetesOrchestratorDeps = {},
  ) {
    this.api = deps.api;
  }

  private async client(): Promise<WorkflowsApi> {
    return (this.api ??= await workflowsApi(await loadKubeConfig({ context: this.config.context })));
  }

  async check(plan: RunPlan): Promise<void> {
    if (!plan.pipelineFile) {
      throw new KoanError("USAGE", "the kubernetes orchestrator runs pipelines from files (the image holds the project)", { hint: "run it with koan run <file>, or pass pipelineFile to client.run()" });
    }
    projectRelative(plan.projectDir, plan.pipelineFile);
    const why = unreachableStores(plan.stack);
    if (why) throw new KoanError("CONFIG_INVALID", `the kubernetes orchestrator runs every step on the cluster, but ${why}`, { hint: "use a stack with a shared artifact store (s3://, gs://, azure://) and a PostgreSQL metadata store (docs/kubernetes.md)" });
    await stepImage(plan.projectDir, this.config.image, "the kubernetes orchestrator");
    await this.client();
  }

  /** The Workflow of a run (attached shape). */
  workflow(env: RunEnv, image: string, concurrency: number): ArgoWorkflow {
    const wf = argoWorkflow({
      pipeline: env.pipeline,
      pipelineFile: projectRelative(env.projectDir, env.pipelineFile ?? ""),
      image,
      stack: env.stack,
      namespace: this.config.namespace,
      serviceAccountName: this.config.serviceAccountName,
      secretName: this.config.secretName,
      gpuResource: this.config.gpuResource,
      imagePullPolicy: this.config.imagePullPolicy,
      runId: env.runId,
    });
    wf.spec.parallelism = concurrency;
    return wf;
  }

  async execute(env: RunEnv, options: { concurrency: number }): Promise<RunOutcome> {
    const now = this.deps.now ?? Date.now;
    const image = await stepImage(env.projectDir, this.config.image, "the kubernetes orchestrator");
    const api = await this.client();
    const manifest = this.workflow(env, image, options.concurrency);
    const created = await api.create(this.config.namespace, manifest);
    const name = created.metadata?.name ?? (manifest.metadata.name as string);
    const roles = templateSteps(env.pipeline);
    const say = (step: string, line: string): void => env.emit({ type: "step-log", runId: env.runId, step, line });
    const seen = new Map<string, string>();
    const started = new Set<string>();
    const submitted = now();
    let anyStarted = false;
    let wf: WorkflowResource = created;
    let cancelled = false;
    let failure: KoanError | undefined;
    let readErrors = 0;

    for (;;) {
      if (env.signal.aborted) {
        cancelled = true;
        await api.shutdown(this.config.namespace, name, "Terminate").catch(() => undefined);
        break;
      }
      try {
        const got = await api.get(this.config.namespace, name);
        if (!got) {
          failure = new KoanError("STEP_FAILED", `Workflow ${name} disappeared from namespace ${this.config.namespace} (deleted by someone else?)`);
          break;
        }
        wf = got;
        readErrors = 0;
      } catch (e) {
        if (++readErrors >= 5) {
          failure = new KoanError("STORE_UNAVAILABLE", `lost track of Workflow ${name}: ${messageOf(e)}`, { hint: `it may still be running: argo get -n ${this.config.namespace} ${name}` });
          break;
        }
        await sleep(this.config.pollMs, env.signal);
        continue;
      }
      for (const [step, pods] of podsByStep(wf, roles)) {
        let attempts = 0;
        pods.forEach((p) => {
          const { pod, role } = p;
          if (role === "step") attempts++;
          const key = `${pod.id ?? pod.name}`;
          const state = `${pod.phase}:${pod.message ?? ""}`;
          if (seen.get(key) === state) return;
          // A step starts with its task's pod (each retry is an attempt); shard and merge pods are progress lines.
          if (!started.has(key) && pod.phase !== "Pending" && role === "step") {
            started.add(key);
            env.emit({ type: "step-started", runId: env.runId, step, attempt: attempts });
          }
          if (pod.phase === "Running" || pod.phase === "Succeeded" || pod.phase === "Failed") anyStarted = true;
          say(step, `${podLabel(p)} ${String(pod.phase ?? "").toLowerCase()}${pod.message ? `: ${pod.message}` : ""}`);
          seen.set(key, state);
        });
      }
      if (DONE.has(wf.status?.phase ?? "")) break;
      if (!anyStarted && now() - submitted >= this.config.startTimeoutMs) {
        const pending = [...podsByStep(wf, roles).values()].flat().find((p) => p.pod.message)?.pod.message ?? wf.status?.message ?? "none";
        await api.shutdown(this.config.namespace, name, "Terminate").catch(() => undefined);
        failure = new KoanError("STEP_TIMEOUT", `Workflow ${name} started no step within ${Math.round(this.config.startTimeoutMs / 1000)} s; its last event: ${pending}`, {
          hint: "check the cluster's capacity and the Workflow's pods (argo get), or raise the orchestrator's startTimeoutMs; it was terminated",
        });
        break;
      }
      await sleep(this.config.pollMs, env.signal);
    }
    return this.settle(env, wf, name, cancelled, failure);
  }

  /** Record what the cluster did not, and the run's outcome. */
  private async settle(env: RunEnv, wf: WorkflowResource, name: string, cancelled: boolean, failure: KoanError | undefined): Promise<RunOutcome> {
    const pods = podsByStep(wf, templateSteps(env.pipeline));
    const records = await env.metadata.listStepRuns(env.runId);
    const latest = new Map<string, StepRunRecord>();
    for (const r of [...records].sort((a, b) => a.id.localeCompare(b.id))) latest.set(r.step, r);
    const failures: StepFailedError[] = [];
    let allSucceeded = true;
    for (const nodeName of env.pipeline.order) {
      const node = env.pipeline.node(nodeName);
      if (!node) continue;
      const record = latest.get(nodeName);
      const all = pods.get(nodeName) ?? [];
      // The pod that says why: the last that failed (a shard's, say), else the last one.
      const lastPod = [...all].reverse().find((p) => p.pod.phase === "Failed" || p.pod.phase === "Error") ?? all[all.length - 1];
      const last = lastPod?.pod;
      const first = all[0]?.pod;
      const attempts = all.filter((p) => p.pod.templateName === last?.templateName);
      const wrap = (cause: unknown): StepFailedError =>
        new StepFailedError({ pipeline: env.pipeline.name, step: nodeName, runId: env.runId, cause, code: cause instanceof KoanError && ["STEP_TIMEOUT", "RUN_CANCELLED", "OUTPUT_INVALID"].includes(cause.code) ? cause.code : "STEP_FAILED" });
      if (record && record.status !== "running") {
        if (record.status === "succeeded") {
          env.emit({ type: "step-finished", runId: env.runId, step: nodeName, status: "succeeded", cacheHit: record.cacheHit, durationMs: record.durationMs ?? 0 });
          continue;
        }
        allSucceeded = false;
        if (record.status === "failed" && record.error) {
          const f = wrap(new KoanError(record.error.code as KoanError["code"], record.error.message, record.error.hint ? { hint: record.error.hint } : {}));
          failures.push(f);
          env.emit({ type: "step-finished", runId: env.runId, step: nodeName, status: "failed", cacheHit: false, durationMs: record.durationMs ?? 0, error: f.message });
        }
        continue;
      }
      allSucceeded = false;
      const meta = { orchestrator: "kubernetes", workflow: name, ...(last?.id ? { pod: last.id } : {}) };
      if (!last && !record) {
        if (cancelled) await recordStepEnd(env, node, { status: "cancelled", error: wrap(new KoanError("RUN_CANCELLED", `step "${nodeName}" was cancelled before it started (Workflow ${name} was terminated)`)), durationMs: 0, attempts: 0, meta });
        else await recordSkipped(env, node);
        continue;
      }
      const status = cancelled ? "cancelled" : "failed";
      const cause = cancelled
        ? new KoanError("RUN_CANCELLED", `step "${nodeName}" was cancelled (Workflow ${name} was terminated)`)
        : new KoanError(/deadline/i.test(last?.message ?? "") ? "STEP_TIMEOUT" : "STEP_FAILED", `the ${lastPod && lastPod.role !== "step" ? `${lastPod.role} pod ${last?.displayName ?? ""} ` : "pod "}of step "${nodeName}" in Workflow ${name} ${last?.phase === "Error" ? "errored" : "failed"}${last?.message ? `: ${last.message}` : " before koan step-run recorded the step"}`, {
            hint: `argo logs -n ${this.config.namespace} ${name}; image pull errors and missing Secrets show in: kubectl describe pod -n ${this.config.namespace} ${last?.id ?? ""}`.trim(),
          });
      const f = wrap(cause);
      if (!cancelled) failures.push(f);
      await recordStepEnd(env, node, { status, error: f, existing: record, startedAt: first?.startedAt, durationMs: first?.startedAt ? Math.max(0, Date.now() - new Date(first.startedAt).getTime()) : 0, attempts: attempts.length, meta });
      env.emit({ type: "step-finished", runId: env.runId, step: nodeName, status, cacheHit: false, durationMs: 0, error: f.message });
    }
    if (failure && !cancelled) {
      failures.unshift(new StepFailedError({ pipeline: env.pipeline.name, step: "(workflow)", runId: env.runId, cause: failure, code: failure.code === "STEP_TIMEOUT" ? "STEP_TIMEOUT" : "STEP_FAILED" }));
    }
    if (cancelled) return { status: "cancelled", failures };
    return { status: allSucceeded && !failure && wf.status?.phase === "Succeeded" ? "succeeded" : "failed", failures };
  }
}
