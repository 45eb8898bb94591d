/** The step job and backend config the vertex tests submit: a GPU training step of a two-step pipeline. */
import { z } from "zod";
import { pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";
import { vertexBackendConfig } from "../../src/backends/flavors.js";
import { stepJob } from "../../src/backends/job.js";
import type { StepJob } from "../../src/backends/types.js";
import type { StackConfig } from "../../src/runner/types.js";

const stack: StackConfig = {
  name: "team",
  artifactStore: { flavor: "gcs", config: { bucket: "acme-koan" } },
  metadataStore: { flavor: "postgres", config: { url: "postgres://koan@10.0.0.5/koan" } },
  orchestrator: { flavor: "local", config: {} },
};

const train = step({
  name: "train",
  inputs: { data: t.json<number[]>() },
  outputs: { model: t.json<number>() },
  params: z.object({ epochs: z.number().default(3) }),
  timeoutMs: 3_600_000,
  retries: 1,
  retryDelayMs: 1000,
  resources: { cpu: 8, memory: "30Gi", gpu: 2 },
  backend: "gpu",
  run: (_ctx, { data }) => ({ model: data.length }),
});
const load = step({ name: "load", outputs: { data: t.json<number[]>() }, run: () => ({ data: [1, 2, 3] }) });
const p = pipeline({ name: "vertex-demo", build: () => void train(load()) });

/** The job of the training step, with `extra` fields replaced. */
export function job(extra: Partial<StepJob> = {}): StepJob {
  const node = p.node("train");
  if (!node) throw new Error("no node");
  return { ...stepJob({ runId: "r-m7u2k1a0-9f2c4e1ab3d0", pipeline: p.name, node, image: "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c", stack, backendName: "gpu", env: { TF_CPP_MIN_LOG_LEVEL: "2" } }), ...extra };
}

/** A vertex backend config (validated), with `over` keys replaced (no log settle period unless given). */
export const config = (over: Record<string, unknown> = {}) =>
  vertexBackendConfig.parse({ project: "acme", region: "us-central1", machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", serviceAccount: "koan-jobs@acme.iam.gserviceaccount.com", logSettleMs: 0, ...over });
