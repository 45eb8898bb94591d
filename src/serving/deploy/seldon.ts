/**
 * The `seldon` deployer: a Seldon Core `SeldonDeployment` (machinelearning.seldon.io/v1, protocol v2) running
 * the Koan server image as the graph's one MODEL node. With a bundle URI (`gs://`, `s3://`, ...) Seldon's
 * storage initializer downloads it to /mnt/models; without one the image must carry the bundle (the `docker`
 * deployer's image does). The manifest is written to a file and, with `apply`, applied to the cluster.
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { applyManifest, clusterConfigured, deleteManifest, manifestYaml, type KubernetesClient, type Manifest } from "./kubernetes.js";
import { dnsName, GRPC_PORT, HTTP_PORT, IMAGE_BUNDLE_DIR, imageFor, koanLabels, MODEL_DIR, probe, serverEnv } from "./container.js";
import type { Deployer, DeployContext, DeploymentRecord, DeployResult } from "./types.js";

/** Config of the Seldon deployer. */
export interface SeldonConfig {
  image?: string | undefined;
  namespace: string;
  replicas: number;
  /** Where Seldon fetches the bundle (default: the artifact's URI when remote). */
  modelUri?: string | undefined;
  /** Manifest file (default `.koan/deployments/<id>/seldondeployment.yaml`). */
  out?: string | undefined;
  apply: boolean;
}

/** The SeldonDeployment for a deployment. */
export function seldonManifest(ctx: Pick<DeployContext, "id" | "name" | "version" | "bundle">, config: SeldonConfig): Manifest {
  const name = dnsName(ctx.name);
  const uri = config.modelUri ?? ctx.bundle.uri ?? undefined;
  const bundleDir = uri ? MODEL_DIR : IMAGE_BUNDLE_DIR;
  return {
    apiVersion: "machinelearning.seldon.io/v1",
    kind: "SeldonDeployment",
    metadata: { name, namespace: config.namespace, labels: koanLabels(ctx.id) },
    spec: {
      name,
      protocol: "v2",
      predictors: [
        {
          name: "default",
          replicas: config.replicas,
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": String(HTTP_PORT) },
          componentSpecs: [
            {
              spec: {
                containers: [
                  {
                    name: "model",
                    image: imageFor(name, ctx.version, config.image),
                    env: serverEnv(bundleDir),
                    ports: [
                      { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
                      { name: "grpc", containerPort: GRPC_PORT, protocol: "TCP" },
                    ],
                    readinessProbe: probe("/v2/health/ready"),
                    livenessProbe: probe("/v2/health/live"),
                  },
                ],
                terminationGracePeriodSeconds: 40,
              },
            },
          ],
          graph: {
            name: "model",
            type: "MODEL",
            children: [],
            endpoint: { type: "REST", httpPort: HTTP_PORT, grpcPort: GRPC_PORT },
            ...(uri ? { modelUri: uri } : {}),
          },
        },
      ],
    },
  };
}

/** Create the Seldon deployer. */
export function createSeldonDeployer(config: SeldonConfig, client?: KubernetesClient): Deployer {
  return {
    async deploy(ctx): Promise<DeployResult> {
      const m = seldonManifest(ctx, config);
      const yaml = manifestYaml(m);
      if (ctx.dryRun) return { endpoint: null, state: { manifest: m as never }, output: yaml };
      const file = config.out ? resolve(ctx.projectDir, config.out) : join(ctx.projectDir, ".koan", "deployments", ctx.id, "seldondeployment.yaml");
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, yaml);
      let applied: string | null = null;
      if (config.apply) applied = await applyManifest(m, client);
      else ctx.log(`wrote ${file}; apply it with: kubectl apply -f ${file}`);
      const endpoint = `/seldon/${config.namespace}/${m.metadata.name}/v2/models/${ctx.name}/infer`;
      return { endpoint: applied ? endpoint : null, state: { file, applied, kind: m.kind, apiVersion: m.apiVersion, name: m.metadata.name, namespace: config.namespace }, output: applied ? `${applied} SeldonDeployment ${m.metadata.name} in ${config.namespace}` : yaml };
    },
    async status(record: DeploymentRecord) {
      return record.state.applied
        ? { state: "applied", healthy: null, detail: `SeldonDeployment ${String(record.state.name)} in ${String(record.state.namespace)}: check with kubectl get sdep` }
        : { state: "written", healthy: null, detail: `manifest ${String(record.state.file)}` };
    },
    async undeploy(record, log) {
      if (!record.state.applied) return log(`nothing applied; the manifest stays at ${String(record.state.file)}`);
      if (!client && !clusterConfigured()) return log("no cluster configured: delete the SeldonDeployment yourself");
      const r = await deleteManifest({ apiVersion: String(record.state.apiVersion), kind: String(record.state.kind), metadata: { name: String(record.state.name), namespace: String(record.state.namespace) } }, client);
      log(`${r} SeldonDeployment ${String(record.state.name)}`);
    },
  };
}
