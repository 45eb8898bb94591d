/** The built-in orchestrator flavors. @module */
import { z } from "zod";
import { defineFlavor } from "../core/flavor.js";
import type { Orchestrator } from "./types.js";
import { queueConfigSchema, type QueueConfig } from "./queue/config.js";

defineFlavor<Orchestrator, Record<string, never>>({
  type: "orchestrator",
  name: "local",
  description: "runs steps in this process (isolation per step: inline or a child process)",
  config: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  load: async () => {
    const { LocalOrchestrator } = await import("./local/orchestrator.js");
    return async () => new LocalOrchestrator();
  },
});

// kubernetes (Argo Workflows) — step backends & Argo (src/orchestrators/kubernetes/, docs/kubernetes.md)
const kubernetesOrchestratorConfig = z
  .object({
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a namespace name").default("default"),
    context: z.string().min(1).optional(),
    image: z.string().min(1).optional(),
    serviceAccountName: z.string().min(1).optional(),
    secretName: z.string().min(1).default("koan-secrets"),
    gpuResource: z.string().min(1).default("nvidia.com/gpu"),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    pollMs: z.coerce.number().int().min(10).default(3000),
    startTimeoutMs: z.coerce.number().int().min(1).default(15 * 60_000),
  })
  .strict();
defineFlavor<Orchestrator, z.infer<typeof kubernetesOrchestratorConfig>>({
  type: "orchestrator",
  name: "kubernetes",
  description: "runs every step on a Kubernetes cluster as an Argo Workflow (koan step-run per step)",
  config: kubernetesOrchestratorConfig,
  load: async () => {
    const { KubernetesOrchestrator } = await import("./kubernetes/orchestrator.js");
    return async (config) => new KubernetesOrchestrator(config);
  },
});

// queue (BullMQ on Redis) — koan worker processes run the steps (src/orchestrators/queue/, docs/distributed.md)
defineFlavor<Orchestrator, QueueConfig>({
  type: "orchestrator",
  name: "queue",
  description: "hands steps to `koan worker` processes through a BullMQ queue on Redis (url: redis://host:6379)",
  config: queueConfigSchema as unknown as z.ZodType<QueueConfig>,
  load: async () => {
    const { QueueOrchestrator } = await import("./queue/orchestrator.js");
    return async (config) => new QueueOrchestrator(config);
  },
  probe: async (component) => (component as unknown as { ping(): Promise<void> }).ping(),
});
