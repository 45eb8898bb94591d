/**
 * The Vertex AI `customJobs.create` request for one step (REST resource `CustomJob`, API v1): one worker pool
 * with one replica running the project's image with `koan step-run`, on the configured machine type and
 * accelerators, as the configured service account, with the step's deadline as `scheduling.timeout`.
 * @module
 */
import type { z } from "zod";
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import type { vertexBackendConfig } from "../flavors.js";
import type { StepJob } from "../types.js";

/** Config of the vertex step backend (validated, defaults applied). */
export type VertexBackendConfig = z.infer<typeof vertexBackendConfig>;

/** One REST request to Vertex AI. */
export interface VertexJobRequest {
  method: "GET" | "POST";
  url: string;
  body?: { [key: string]: JsonValue };
}

/** The API root for a config: `https://<region>-aiplatform.googleapis.com` unless `apiEndpoint` says otherwise. */
export function apiRoot(config: Pick<VertexBackendConfig, "region" | "apiEndpoint">): string {
  return (config.apiEndpoint ?? `https://${config.region}-aiplatform.googleapis.com`).replace(/\/+$/, "");
}

/** The Google Cloud project of a config (`project`, else GOOGLE_CLOUD_PROJECT); `CONFIG_INVALID` when neither. */
export function projectOf(config: Pick<VertexBackendConfig, "project">, env: NodeJS.ProcessEnv = process.env): string {
  const p = config.project ?? env.GOOGLE_CLOUD_PROJECT;
  if (!p) {
    throw new KoanError("CONFIG_INVALID", "the vertex step backend has no Google Cloud project", {
      hint: "set project in the backend's config or GOOGLE_CLOUD_PROJECT in the environment",
    });
  }
  return p;
}

/** Labels as Vertex AI accepts them: lower-case keys and values of letters, digits, `_` and `-` (at most 63). */
export function vertexLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9_-]+/g, "_").slice(0, 63);
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [clean(k.replace(/^.*\//, "koan_")).replace(/^[^a-z]+/, "k"), clean(v)]));
}

/** The accelerators of a job: the step's `resources.gpu`, else the config's count; a type is needed for any. */
function accelerators(job: StepJob, config: VertexBackendConfig): { acceleratorType?: string; acceleratorCount?: number } {
  const count = job.resources?.gpu ?? config.acceleratorCount;
  if (!count) return {};
  if (!config.acceleratorType) {
    throw new KoanError("CONFIG_INVALID", `step "${job.step}" asks for ${count} GPU(s), but its vertex backend names no acceleratorType`, {
      hint: "set acceleratorType (e.g. NVIDIA_TESLA_T4, NVIDIA_L4) in the backend's config",
      details: { step: job.step },
    });
  }
  return { acceleratorType: config.acceleratorType, acceleratorCount: count };
}

/**
 * The `customJobs.create` request of a step's job. Refuses (`CONFIG_INVALID`, before anything is sent) a job
 * that needs Koan secrets: a CustomJob's environment is stored in the job resource in clear, and Vertex AI has no
 * secret references for custom containers.
 */
export function customJobRequest(job: StepJob, config: VertexBackendConfig, project: string): VertexJobRequest {
  if (job.secrets.length) {
    throw new KoanError("CONFIG_INVALID", `step "${job.step}" cannot run on Vertex AI: the stack's stores use secrets (${job.secrets.join(", ")}), and a CustomJob can only receive them in clear in its definition`, {
      hint: "let the job's service account reach the stores instead (GCS through IAM, Cloud SQL with IAM database authentication), or run the step on a kubernetes backend, which references a Secret",
      details: { step: job.step, secrets: job.secrets },
    });
  }
  const [command, ...args] = job.command;
  return {
    method: "POST",
    url: `${apiRoot(config)}/v1/projects/${project}/locations/${config.region}/customJobs`,
    body: {
      displayName: job.name,
      labels: vertexLabels(job.labels),
      jobSpec: {
        workerPoolSpecs: [
          {
            machineSpec: { machineType: config.machineType, ...accelerators(job, config) },
            replicaCount: "1",
            ...(config.bootDiskSizeGb ? { diskSpec: { bootDiskType: "pd-ssd", bootDiskSizeGb: config.bootDiskSizeGb } } : {}),
            containerSpec: {
              imageUri: job.image,
              command: [command ?? "koan"],
              args,
              env: job.env.map((e) => ({ name: e.name, value: e.value })),
            },
          },
        ],
        ...(config.serviceAccount ? { serviceAccount: config.serviceAccount } : {}),
        ...(config.network ? { network: config.network } : {}),
        ...(job.deadlineSeconds ? { scheduling: { timeout: `${job.deadlineSeconds}s` } } : {}),
      },
    },
  };
}
