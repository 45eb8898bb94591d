/**
 * The Kubernetes `batch/v1` Job of one step: one pod, never restarted (Koan's own retries run inside
 * `koan step-run`), the step's resources as requests and limits (GPUs as the configured extended resource), the
 * backend's node selector and tolerations, the step's deadline as `activeDeadlineSeconds`, and the stack's
 * secrets as `secretKeyRef`s into a Kubernetes Secret — never as values.
 * @module
 */
import type { V1Container, V1EnvVar, V1Job, V1ResourceRequirements } from "@kubernetes/client-node";
import type { z } from "zod";
import type { StepResources } from "../../core/step.js";
import { secretEnvVar } from "../../secrets/names.js";
import type { kubernetesBackendConfig } from "../flavors.js";
import type { StepJob } from "../types.js";

/** Config of the kubernetes step backend (validated, defaults applied). */
export type KubernetesBackendConfig = z.infer<typeof kubernetesBackendConfig>;

/** The container's name in every step pod. */
export const STEP_CONTAINER = "step";

/** A CPU quantity from cores (`2` → `"2"`, `0.5` → `"500m"`) or a quantity string as given. */
export function cpuQuantity(cpu: number | string): string {
  if (typeof cpu === "string") return cpu;
  return Number.isInteger(cpu) ? String(cpu) : `${Math.ceil(cpu * 1000)}m`;
}

/** Requests and limits for a step's resources; GPUs go in limits (Kubernetes sets the request equal). */
export function resourceRequirements(resources: StepResources | undefined, gpuResource: string): V1ResourceRequirements | undefined {
  if (!resources) return undefined;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (resources.cpu !== undefined) requests.cpu = cpuQuantity(resources.cpu);
  if (resources.memory !== undefined) {
    requests.memory = resources.memory;
    limits.memory = resources.memory;
  }
  if (resources.gpu) limits[gpuResource] = String(resources.gpu);
  const out: V1ResourceRequirements = {};
  if (Object.keys(requests).length) out.requests = requests;
  if (Object.keys(limits).length) out.limits = limits;
  return Object.keys(out).length ? out : undefined;
}

/** Environment of the step container: plain values, then each secret by reference. */
export function containerEnv(job: StepJob, secretName: string): V1EnvVar[] {
  return [
    ...job.env.map((e) => ({ name: e.name, value: e.value })),
    ...job.secrets.map((s) => ({ name: secretEnvVar(s), valueFrom: { secretKeyRef: { name: secretName, key: s } } })),
  ];
}

/** The Job manifest of a step. */
export function jobManifest(job: StepJob, config: KubernetesBackendConfig): V1Job {
  const resources = resourceRequirements(job.resources, config.gpuResource);
  const container: V1Container = {
    name: STEP_CONTAINER,
    image: job.image,
    command: [...job.command],
    env: containerEnv(job, config.secretName),
    ...(config.imagePullPolicy ? { imagePullPolicy: config.imagePullPolicy } : {}),
    ...(resources ? { resources } : {}),
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: job.name, namespace: config.namespace, labels: { ...job.labels } },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      ...(job.deadlineSeconds ? { activeDeadlineSeconds: job.deadlineSeconds } : {}),
      template: {
        metadata: { labels: { ...job.labels } },
        spec: {
          restartPolicy: "Never",
          containers: [container],
          ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
          ...(config.nodeSelector ? { nodeSelector: { ...config.nodeSelector } } : {}),
          ...(config.tolerations ? { tolerations: config.tolerations.map((t) => ({ ...t })) } : {}),
          ...(config.imagePullSecrets ? { imagePullSecrets: config.imagePullSecrets.map((name) => ({ name })) } : {}),
        },
      },
    },
  };
}
