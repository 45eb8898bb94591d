/**
 * The built-in step backend flavors: `local` (run where the pipeline runs: the default), `vertex` (a Vertex AI
 * `CustomJob`) and `kubernetes` (a `batch/v1` Job). Only config schemas load here; each implementation, and
 * `google-auth-library` or `@kubernetes/client-node`, is imported when a run first uses the backend.
 *
 * @example
 * ```yaml
 * # .koan/config.yaml
 * stacks:
 *   team:
 *     # artifactStore, metadataStore, orchestrator ...
 *     stepBackends:
 *       gpu:
 *         flavor: vertex
 *         config: { region: us-central1, machineType: n1-standard-8, acceleratorType: NVIDIA_TESLA_T4, acceleratorCount: 1 }
 * ```
 * @module
 */
import { z } from "zod";
import { defineFlavor, getFlavor, type Flavor } from "../core/flavor.js";
import type { StepBackend } from "./types.js";

const remoteFlavors = new Set<string>();

/**
 * Register a step backend flavor. `remote: true` says its jobs run on other machines, so a stack whose artifact
 * or metadata store lives on this machine's disk is refused before anything is submitted.
 */
export function defineStepBackend<C>(flavor: Omit<Flavor<StepBackend, C>, "type"> & { remote: boolean }): Flavor<StepBackend, C> {
  const { remote, ...rest } = flavor;
  const defined = defineFlavor<StepBackend, C>({ ...rest, type: "step-backend" });
  if (remote) remoteFlavors.add(flavor.name);
  return defined;
}

/** Whether jobs of this step backend flavor run on other machines (throws `FLAVOR_UNKNOWN` for an unknown one). */
export function isRemoteFlavor(name: string): boolean {
  getFlavor("step-backend", name);
  return remoteFlavors.has(name);
}

const int = (min: number) => z.coerce.number().int().min(min);
const common = {
  /** The container image; default: the one `koan build` recorded. */
  image: z.string().min(1).optional(),
  /** How long a job may wait to start before the step fails with the job's last event (ms). */
  startTimeoutMs: int(1).optional(),
  /** How often the job's state is read (ms). */
  pollMs: int(10).optional(),
  /** Extra plain environment variables for the job (values are visible in the job's definition: no secrets). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
};

defineStepBackend<Record<string, never>>({
  name: "local",
  remote: false,
  description: "runs the step where the pipeline runs (the default for every step)",
  config: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  load: async () => {
    const { createLocalBackend } = await import("./local.js");
    return async () => createLocalBackend();
  },
});

/** Config of the `vertex` step backend. */
export const vertexBackendConfig = z
  .object({
    ...common,
    /** Google Cloud project id (default: GOOGLE_CLOUD_PROJECT). */
    project: z.string().min(1).optional(),
    region: z.string().regex(/^[a-z]+-[a-z]+[0-9]+$/, "a region like us-central1").default("us-central1"),
    machineType: z.string().min(1).default("n1-standard-4"),
    /** E.g. NVIDIA_TESLA_T4, NVIDIA_L4, NVIDIA_TESLA_A100. Needed when a step asks for GPUs. */
    acceleratorType: z.string().regex(/^[A-Z0-9_]+$/, "an accelerator type like NVIDIA_TESLA_T4").optional(),
    /** GPUs per job (a step's `resources.gpu` overrides it). */
    acceleratorCount: int(0).default(0),
    /** The service account the job runs as (needs access to the stack's stores). */
    serviceAccount: z.string().email().optional(),
    bootDiskSizeGb: int(10).optional(),
    /** VPC network to peer with (`projects/<number>/global/networks/<name>`), e.g. to reach a private Cloud SQL. */
    network: z.string().min(1).optional(),
    /** API root (default `https://<region>-aiplatform.googleapis.com`); for private endpoints and tests. */
    apiEndpoint: z.string().url().optional(),
    /** Cloud Logging API root, where the job's log is read (default `https://logging.googleapis.com`). */
    loggingEndpoint: z.string().url().optional(),
    /** How long the job's log is still read after it ended (ms, default 10000): Cloud Logging ingests with a delay. */
    logSettleMs: int(0).optional(),
  })
  .strict();

defineStepBackend<z.infer<typeof vertexBackendConfig>>({
  name: "vertex",
  remote: true,
  description: "a Vertex AI CustomJob (machine type, accelerators, region, service account)",
  config: vertexBackendConfig,
  load: async () => {
    const { createVertexBackend } = await import("./vertex/backend.js");
    return async (config) => createVertexBackend(config);
  },
});

const toleration = z
  .object({
    key: z.string().optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

/** Config of the `kubernetes` step backend. */
export const kubernetesBackendConfig = z
  .object({
    ...common,
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a namespace name").default("default"),
    /** Kubeconfig context (default: the current one). */
    context: z.string().min(1).optional(),
    serviceAccountName: z.string().min(1).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(toleration).optional(),
    /** Extended resource name of a GPU. */
    gpuResource: z.string().min(1).default("nvidia.com/gpu"),
    /** Kubernetes Secret whose keys are Koan secret names (mounted as KOAN_SECRET_<NAME>). */
    secretName: z.string().min(1).default("koan-secrets"),
    imagePullSecrets: z.array(z.string().min(1)).optional(),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    /** How long an image pull error, a missing Secret or a quota refusal may last before the step fails (ms). */
    problemGraceMs: int(0).default(120_000),
    ttlSecondsAfterFinished: int(0).default(3600),
  })
  .strict();

defineStepBackend<z.infer<typeof kubernetesBackendConfig>>({
  name: "kubernetes",
  remote: true,
  description: "a Kubernetes batch/v1 Job (resources, node selector, tolerations, GPU limits)",
  config: kubernetesBackendConfig,
  load: async () => {
    const { createKubernetesBackend } = await import("./kubernetes/backend.js");
    return async (config) => createKubernetesBackend(config);
  },
});
