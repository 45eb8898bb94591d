/**
 * The built-in deployers, registered as `deployer` flavors: `local`, `docker`, `seldon`, `kserve`, `vertex`.
 * Only their config schemas load here; each implementation (and any SDK it needs) is imported when used.
 * @module
 */
import { z } from "zod";
import { defineFlavor } from "../../core/flavor.js";
import type { Deployer } from "./types.js";

const port = z.coerce.number().int().min(0).max(65535);
const count = z.coerce.number().int().min(0);
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

const localConfig = z.object({
  port: port.default(0),
  host: z.string().min(1).default("127.0.0.1"),
  grpcPort: port.optional(),
  readyTimeoutMs: z.coerce.number().int().min(1).default(60_000),
  command: z.array(z.string()).min(1).optional(),
});
defineFlavor<Deployer, z.infer<typeof localConfig>>({
  type: "deployer",
  name: "local",
  description: "the model server as a background process on this machine",
  config: localConfig,
  load: async () => {
    const { createLocalDeployer } = await import("./local.js");
    return async (config) => createLocalDeployer(config);
  },
});

const dockerConfig = z.object({
  out: z.string().optional(),
  baseImage: z.string().min(1).default("node:20-slim"),
  tag: z.string().min(1).optional(),
  koanPackage: z.string().min(1).optional(),
  build: z.enum(["auto", "always", "never"]).default("auto"),
});
defineFlavor<Deployer, z.infer<typeof dockerConfig>>({
  type: "deployer",
  name: "docker",
  description: "a Docker build context (Dockerfile, entry point, bundle); built where a Docker daemon answers",
  config: dockerConfig,
  load: async () => {
    const { createDockerDeployer } = await import("./docker.js");
    return async (config) => createDockerDeployer(config);
  },
});

const k8sBase = {
  image: z.string().min(1).optional(),
  namespace: z.string().min(1).default("default"),
  modelUri: z.string().min(1).optional(),
  out: z.string().optional(),
  apply: bool.default(false),
};
const seldonConfig = z.object({ ...k8sBase, replicas: count.default(1) });
defineFlavor<Deployer, z.infer<typeof seldonConfig>>({
  type: "deployer",
  name: "seldon",
  description: "a Seldon Core SeldonDeployment (protocol v2); --apply applies it to the configured cluster",
  config: seldonConfig,
  load: async () => {
    const { createSeldonDeployer } = await import("./seldon.js");
    return async (config) => createSeldonDeployer(config);
  },
});

const kserveConfig = z.object({ ...k8sBase, minReplicas: count.default(1), maxReplicas: count.default(1) });
defineFlavor<Deployer, z.infer<typeof kserveConfig>>({
  type: "deployer",
  name: "kserve",
  description: "a KServe InferenceService (custom predictor, V2 protocol); --apply applies it to the configured cluster",
  config: kserveConfig,
  load: async () => {
    const { createKServeDeployer } = await import("./kserve.js");
    return async (config) => createKServeDeployer(config);
  },
});

const vertexConfig = z.object({
  project: z.string().min(1).optional(),
  region: z.string().min(1).default("us-central1"),
  image: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  machineType: z.string().min(1).default("n1-standard-2"),
  minReplicas: count.default(1),
  maxReplicas: count.default(1),
  artifactUri: z.string().min(1).optional(),
});
defineFlavor<Deployer, z.infer<typeof vertexConfig>>({
  type: "deployer",
  name: "vertex",
  description: "Vertex AI: model upload (custom container with the AIP routes) and endpoint deployModel",
  config: vertexConfig,
  load: async () => {
    const { createVertexDeployer } = await import("./vertex.js");
    return async (config) => createVertexDeployer(config);
  },
});
