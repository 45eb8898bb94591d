/**
 * Running the `kubernetes` orchestrator against the Argo stand-in (test/export/fake-argo.ts) in tests: a
 * kubeconfig for the stand-in, the orchestrator's config, and one attached run of a loaded pipeline file.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Koan } from "../../src/client/client.js";
import type { LoadedPipeline } from "../../src/loader/pipeline-file.js";
import { workflowsApi } from "../../src/orchestrators/kubernetes/api.js";
import { KubernetesOrchestrator, type KubernetesOrchestratorConfig } from "../../src/orchestrators/kubernetes/orchestrator.js";
import type { RunOutcome } from "../../src/orchestrators/types.js";
import type { RunEnv, RunEvent, StackConfig } from "../../src/runner/types.js";
import type { RunRecord, StepRunRecord } from "../../src/stores/metadata/types.js";
import type { FakeArgo } from "./fake-argo.js";

/** A team stack whose stores reference a secret (manifests must reference it, never hold it). */
export const teamStack: StackConfig = {
  name: "team",
  artifactStore: { flavor: "s3", config: { bucket: "acme-koan" } },
  metadataStore: { flavor: "postgres", config: { url: "postgres://koan:{{secret:db-password}}@pg.ml/koan" } },
  orchestrator: { flavor: "local", config: {} },
};

/** The orchestrator's config in tests. */
export const k8sConfig: KubernetesOrchestratorConfig = {
  namespace: "ml",
  image: "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c",
  secretName: "koan-secrets",
  gpuResource: "nvidia.com/gpu",
  pollMs: 50,
  startTimeoutMs: 120_000,
};

/** A kubeconfig whose one cluster is the stand-in at `url`. */
export function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "fake", server: url, skipTLSVerify: true }],
    users: [{ name: "tester", token: "test-token" }],
    contexts: [{ name: "fake", cluster: "fake", user: "tester" }],
    currentContext: "fake",
  });
  return kc;
}

/** Options of {@link executeAttached}. */
export interface AttachedOptions {
  params?: Record<string, Record<string, unknown>>;
  /** Use cached results (the run record's setting, which `koan step-run` reads; default true). */
  cache?: boolean;
  /** Abort the run once this returns true for the events so far. */
  cancelWhen?: (events: RunEvent[]) => boolean;
  concurrency?: number;
}

/** What one attached run gave. */
export interface AttachedRun {
  outcome: RunOutcome;
  steps: Map<string, StepRunRecord>;
  events: RunEvent[];
  run: RunRecord;
}

/** Record a run of `loaded` for remote executors and execute it with the orchestrator against `argo`. */
export async function executeAttached(koan: Koan, loaded: LoadedPipeline, projectDir: string, argo: FakeArgo, options: AttachedOptions = {}): Promise<AttachedRun> {
  const orchestrator = new KubernetesOrchestrator(k8sConfig, { api: await workflowsApi(kubeConfigFor(argo.url)) });
  const run = await koan.createRun(loaded.pipeline, {
    pipelineFile: loaded.file,
    sourceHash: loaded.sourceHash,
    ...(options.cache === false ? { cache: false } : {}),
    ...(options.params ? { params: options.params as never } : {}),
  });
  const controller = new AbortController();
  const events: RunEvent[] = [];
  const cfg = run.config as { seed: number; params: RunEnv["params"]; cache: boolean };
  const env: RunEnv = {
    runId: run.id,
    pipeline: loaded.pipeline,
    pipelineFile: loaded.file,
    projectDir,
    stack: koan.stack,
    artifacts: koan.artifacts,
    metadata: koan.metadata,
    params: cfg.params,
    seed: cfg.seed,
    cache: cfg.cache,
    scratchRoot: join(tmpdir(), "koan", run.id),
    signal: controller.signal,
    emit: (e) => {
      events.push(e);
      if (options.cancelWhen?.(events)) controller.abort();
    },
  };
  const outcome = await orchestrator.execute(env, { concurrency: options.concurrency ?? 2 });
  const steps = new Map((await koan.metadata.listStepRuns(run.id)).map((s) => [s.step, s]));
  return { outcome, steps, events, run };
}
