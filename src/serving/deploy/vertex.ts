/**
 * The `vertex` deployer: Vertex AI's `models.upload` request (a custom serving container running the Koan
 * server image with its predict and health routes, which Vertex passes back as `AIP_PREDICT_ROUTE` and
 * `AIP_HEALTH_ROUTE`) and the endpoint's `deployModel` request. `--dry-run` prints both bodies; otherwise they
 * are sent with Application Default Credentials (`google-auth-library`, imported only then) and the
 * long-running operations are awaited.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import { dnsName, HTTP_PORT, IMAGE_BUNDLE_DIR, koanLabels } from "./container.js";
import type { Deployer, DeployContext, DeploymentRecord, DeployResult } from "./types.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** Config of the Vertex AI deployer. */
export interface VertexConfig {
  /** Google Cloud project (default: GOOGLE_CLOUD_PROJECT). */
  project?: string | undefined;
  region: string;
  /** Serving image in Artifact Registry (default `<region>-docker.pkg.dev/<project>/koan/koan-<name>:<version>`). */
  image?: string | undefined;
  /** An existing endpoint id (default: create one named after the model). */
  endpoint?: string | undefined;
  machineType: string;
  minReplicas: number;
  maxReplicas: number;
  /** A `gs://` folder with the bundle (Vertex copies it and sets AIP_STORAGE_URI); default: the image carries it. */
  artifactUri?: string | undefined;
}

/** One API request. */
export interface VertexRequest {
  method: "GET" | "POST";
  url: string;
  body?: { [key: string]: JsonValue };
}

/** Sends requests (fetch with a bearer token in production; a stand-in in tests). */
export type VertexTransport = (req: VertexRequest) => Promise<{ status: number; json: Record<string, unknown> }>;

/** The container routes the Koan server answers on Vertex AI. */
export const VERTEX_PREDICT_ROUTE = "/predict";
export const VERTEX_HEALTH_ROUTE = "/health";

function projectOf(config: VertexConfig): string {
  const p = config.project ?? process.env.GOOGLE_CLOUD_PROJECT;
  if (!p) throw new KoanError("USAGE", "the vertex deployer needs a Google Cloud project", { hint: "pass --gcp-project <id> or set GOOGLE_CLOUD_PROJECT" });
  return p;
}

const base = (config: VertexConfig): string => `https://${config.region}-aiplatform.googleapis.com/v1`;
const parent = (project: string, config: VertexConfig): string => `projects/${project}/locations/${config.region}`;

/** The `models.upload` request. */
export function uploadRequest(ctx: Pick<DeployContext, "id" | "name" | "version">, config: VertexConfig): VertexRequest {
  const project = projectOf(config);
  const image = config.image ?? `${config.region}-docker.pkg.dev/${project}/koan/koan-${dnsName(ctx.name)}:${ctx.version}`;
  const labels = Object.fromEntries(Object.entries(koanLabels(ctx.id)).map(([k, v]) => [k.replace(/[^a-z0-9_-]/g, "_"), v.toLowerCase().replace(/[^a-z0-9_-]/g, "_")]));
  return {
    method: "POST",
    url: `${base(config)}/${parent(project, config)}/models:upload`,
    body: {
      model: {
        displayName: ctx.name,
        description: `Koan model ${ctx.name}:${ctx.version} (deployment ${ctx.id})`,
        versionAliases: [`v${ctx.version}`.toLowerCase().replace(/[^a-z0-9-]/g, "-")],
        labels,
        containerSpec: {
          imageUri: image,
          env: [
            { name: "KOAN_BUNDLE", value: IMAGE_BUNDLE_DIR },
            { name: "KOAN_GRPC_PORT", value: "0" },
          ],
          ports: [{ containerPort: HTTP_PORT }],
          predictRoute: VERTEX_PREDICT_ROUTE,
          healthRoute: VERTEX_HEALTH_ROUTE,
        },
        ...(config.artifactUri ? { artifactUri: config.artifactUri } : {}),
      },
    },
  };
}

/** The `endpoints.create` request (when no endpoint is given). */
export function createEndpointRequest(ctx: Pick<DeployContext, "name">, config: VertexConfig): VertexRequest {
  return { method: "POST", url: `${base(config)}/${parent(projectOf(config), config)}/endpoints`, body: { displayName: ctx.name } };
}

/** The `endpoints.deployModel` request for an uploaded model resource name. */
export function deployModelRequest(ctx: Pick<DeployContext, "name">, config: VertexConfig, endpoint: string, model: string): VertexRequest {
  return {
    method: "POST",
    url: `${base(config)}/${endpoint}:deployModel`,
    body: {
      deployedModel: {
        model,
        displayName: ctx.name,
        dedicatedResources: { machineSpec: { machineType: config.machineType }, minReplicaCount: config.minReplicas, maxReplicaCount: config.maxReplicas },
      },
      trafficSplit: { "0": 100 },
    },
  };
}

/** The production transport: fetch with an access token from Application Default Credentials. */
export async function googleTransport(): Promise<VertexTransport> {
  let token: string | null | undefined;
  try {
    const { GoogleAuth } = await loadCommonJs<typeof import("google-auth-library")>("google-auth-library");
    token = await new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }).getAccessToken();
  } catch (e) {
    throw new KoanError("CONFIG_INVALID", `no Google Cloud credentials: ${e instanceof Error ? e.message : String(e)}`, {
      hint: "run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS; --dry-run prints the requests instead",
    });
  }
  return async (req) => {
    const res = await fetch(req.url, { method: req.method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(req.body ? { body: JSON.stringify(req.body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

async function send(t: VertexTransport, req: VertexRequest): Promise<Record<string, unknown>> {
  const r = await t(req);
  if (r.status >= 300) {
    const msg = (r.json.error as { message?: string } | undefined)?.message ?? JSON.stringify(r.json);
    throw new KoanError("STORE_UNAVAILABLE", `Vertex AI refused ${req.method} ${req.url} (HTTP ${r.status}): ${msg}`);
  }
  return r.json;
}

/** Wait for a long-running operation; resolves with its `response`. */
async function awaitOperation(t: VertexTransport, config: VertexConfig, op: Record<string, unknown>, pollMs: number): Promise<Record<string, unknown>> {
  let cur = op;
  for (let i = 0; !cur.done; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, pollMs));
    cur = await send(t, { method: "GET", url: `${base(config)}/${String(cur.name)}` });
  }
  if (cur.error) throw new KoanError("STORE_UNAVAILABLE", `Vertex AI operation ${String(cur.name)} failed: ${JSON.stringify(cur.error)}`);
  return (cur.response ?? {}) as Record<string, unknown>;
}

/** Create the Vertex AI deployer (`transport` and `pollMs` for tests). */
export function createVertexDeployer(config: VertexConfig, transport?: VertexTransport, pollMs = 5000): Deployer {
  const t = async (): Promise<VertexTransport> => transport ?? (await googleTransport());
  return {
    async deploy(ctx): Promise<DeployResult> {
      const upload = uploadRequest(ctx, config);
      if (ctx.dryRun) {
        const endpoint = config.endpoint ? `${parent(projectOf(config), config)}/endpoints/${config.endpoint}` : `${parent(projectOf(config), config)}/endpoints/{endpoint}`;
        const requests = [upload, ...(config.endpoint ? [] : [createEndpointRequest(ctx, config)]), deployModelRequest(ctx, config, endpoint, `${parent(projectOf(config), config)}/models/{model}`)];
        return { endpoint: null, state: { requests: requests as unknown as JsonValue }, output: requests.map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.body, null, 2)}`).join("\n\n") };
      }
      const api = await t();
      ctx.log(`uploading model ${ctx.name} to Vertex AI (${config.region})`);
      const uploaded = await awaitOperation(api, config, await send(api, upload), pollMs);
      const model = String(uploaded.model);
      let endpoint = config.endpoint ? `${parent(projectOf(config), config)}/endpoints/${config.endpoint}` : "";
      if (!endpoint) {
        ctx.log("creating an endpoint");
        const created = await awaitOperation(api, config, await send(api, createEndpointRequest(ctx, config)), pollMs);
        endpoint = String(created.name);
      }
      ctx.log(`deploying ${model} to ${endpoint}`);
      const deployed = await awaitOperation(api, config, await send(api, deployModelRequest(ctx, config, endpoint, model)), pollMs);
      const deployedModelId = String((deployed.deployedModel as { id?: string } | undefined)?.id ?? "");
      return {
        endpoint: `${base(config)}/${endpoint}:predict`,
        state: { model, endpoint, deployedModelId, region: config.region, project: projectOf(config) },
        output: `deployed ${model} to ${endpoint} (deployed model ${deployedModelId})`,
      };
    },
    async status(record: DeploymentRecord) {
      if (!record.state.endpoint) return { state: "unknown", healthy: null, detail: "not deployed" };
      try {
        const ep = await send(await t(), { method: "GET", url: `${base(config)}/${String(record.state.endpoint)}` });
        const live = ((ep.deployedModels ?? []) as { id?: string }[]).some((m) => m.id === record.state.deployedModelId);
        return { state: live ? "deployed" : "stopped", healthy: live, detail: `${String(record.state.endpoint)}` };
      } catch (e) {
        return { state: "unknown", healthy: null, detail: e instanceof Error ? e.message : String(e) };
      }
    },
    async undeploy(record, log) {
      const api = await t();
      const op = await send(api, { method: "POST", url: `${base(config)}/${String(record.state.endpoint)}:undeployModel`, body: { deployedModelId: String(record.state.deployedModelId) } });
      await awaitOperation(api, config, op, pollMs);
      log(`undeployed ${String(record.state.deployedModelId)} from ${String(record.state.endpoint)}`);
    },
  };
}
