/**
 * The `kserve` deployer: a KServe `InferenceService` (serving.kserve.io/v1beta1) whose predictor is the Koan
 * server as a custom container speaking the V2 protocol on port 8080. With a bundle URI KServe's storage
 * initializer puts the bundle in /mnt/models (`storageUris`); without one the image must carry it.
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { applyManifest, clusterConfigured, deleteManifest, manifestYaml, type KubernetesClient, type Manifest } from "./kubernetes.js";
import { dnsName, HTTP_PORT, IMAGE_BUNDLE_DIR, imageFor, koanLabels, MODEL_DIR, probe, serverEnv } from "./container.js";
import type { Deployer, DeployContext, DeploymentRecord, DeployResult } from "./types.js";

/** Config of the KServe deployer. */
export interface KServeConfig {
  image?: string | undefined;
  namespace: string;
  minReplicas: number;
  maxReplicas: number;
  modelUri?: string | undefined;
  out?: string | undefined;
  apply: boolean;
}

/** The InferenceService for a deployment. */
export function kserveManifest(ctx: Pick<DeployContext, "id" | "name" | "version" | "bundle">, config: KServeConfig): Manifest {
  const name = dnsName(ctx.name);
  const uri = config.modelUri ?? ctx.bundle.uri ?? undefined;
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name,
      namespace: config.namespace,
      labels: koanLabels(ctx.id),
      annotations: { "serving.kserve.io/enable-prometheus-scraping": "true", "prometheus.kserve.io/port": String(HTTP_PORT), "prometheus.kserve.io/path": "/metrics" },
    },
    spec: {
      predictor: {
        minReplicas: config.minReplicas,
        maxReplicas: config.maxReplicas,
        ...(uri ? { storageUris: [{ uri, mountPath: MODEL_DIR }] } : {}),
        containers: [
          {
            name: "kserve-container",
            image: imageFor(name, ctx.version, config.image),
            env: [...serverEnv(uri ? MODEL_DIR : IMAGE_BUNDLE_DIR), { name: "KOAN_GRPC_PORT", value: "0" }],
            ports: [{ containerPort: HTTP_PORT, protocol: "TCP" }],
            readinessProbe: probe("/v2/health/ready"),
          },
        ],
      },
    },
  };
}

/** Create the KServe deployer. */
export function createKServeDeployer(config: KServeConfig, client?: KubernetesClient): Deployer {
  return {
    async deploy(ctx): Promise<DeployResult> {
      const m = kserveManifest(ctx, config);
      const yaml = manifestYaml(m);
      if (ctx.dryRun) return { endpoint: null, state: { manifest: m as never }, output: yaml };
      const file = config.out ? resolve(ctx.projectDir, config.out) : join(ctx.projectDir, ".koan", "deployments", ctx.id, "inferenceservice.yaml");
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, yaml);
      let applied: string | null = null;
      if (config.apply) applied = await applyManifest(m, client);
      else ctx.log(`wrote ${file}; apply it with: kubectl apply -f ${file}`);
      return { endpoint: null, state: { file, applied, kind: m.kind, apiVersion: m.apiVersion, name: m.metadata.name, namespace: config.namespace }, output: applied ? `${applied} InferenceService ${m.metadata.name} in ${config.namespace}` : yaml };
    },
    async status(record: DeploymentRecord) {
      return record.state.applied
        ? { state: "applied", healthy: null, detail: `InferenceService ${String(record.state.name)} in ${String(record.state.namespace)}: check with kubectl get isvc` }
        : { state: "written", healthy: null, detail: `manifest ${String(record.state.file)}` };
    },
    async undeploy(record, log) {
      if (!record.state.applied) return log(`nothing applied; the manifest stays at ${String(record.state.file)}`);
      if (!client && !clusterConfigured()) return log("no cluster configured: delete the InferenceService yourself");
      const r = await deleteManifest({ apiVersion: String(record.state.apiVersion), kind: String(record.state.kind), metadata: { name: String(record.state.name), namespace: String(record.state.namespace) } }, client);
      log(`${r} InferenceService ${String(record.state.name)}`);
    },
  };
}
