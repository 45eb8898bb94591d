/**
 * The `vertex` step backend: submits a step as a Vertex AI `CustomJob`, reads its state and its log (from Cloud
 * Logging, see ./logging.ts), and cancels it. Requests carry an access token from Application Default Credentials
 * (`google-auth-library`, imported only here, only when a run uses the backend); the token is asked for before
 * every request, so it is refreshed on long jobs.
 * @module
 */
import { KoanError, messageOf } from "../../core/errors.js";
import type { JobHandle, JobStatus, StepBackend, StepJob } from "../types.js";
import { jobLogReader, loggingError, type JobLogReader } from "./logging.js";
import { apiRoot, customJobRequest, projectOf, type VertexBackendConfig, type VertexJobRequest } from "./request.js";
import { vertexJobStatus, type CustomJobResource } from "./state.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** What the backend needs from outside (tests give a fixed token). */
export interface VertexDeps {
  /** An OAuth access token for the cloud-platform scope. */
  token?: () => Promise<string>;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** Tokens from Application Default Credentials. */
async function adcToken(): Promise<() => Promise<string>> {
  let auth: { getAccessToken(): Promise<string | null | undefined> };
  try {
    const { GoogleAuth } = await loadCommonJs<typeof import("google-auth-library")>("google-auth-library");
    auth = new GoogleAuth({ scopes: [SCOPE] });
  } catch (e) {
    throw new KoanError("CONFIG_INVALID", `google-auth-library is not installed: ${messageOf(e)}`, { hint: "npm install google-auth-library" });
  }
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new Error("Application Default Credentials gave no access token");
    return token;
  };
}

/** A Vertex AI HTTP error as a KoanError naming the request, with a hint for the usual causes. */
function httpError(req: VertexJobRequest, status: number, body: Record<string, unknown>): KoanError {
  const err = (body.error ?? {}) as { message?: string; status?: string };
  const msg = err.message ?? JSON.stringify(body).slice(0, 500);
  const hint =
    status === 401 || status === 403
      ? "the credentials may not create or read custom jobs: grant roles/aiplatform.user (and roles/iam.serviceAccountUser on the job's service account)"
      : status === 429 || err.status === "RESOURCE_EXHAUSTED"
        ? "a Vertex AI quota is exhausted (see IAM & Admin > Quotas for the region and accelerator), or try another region"
        : status === 400
          ? "check the backend's machineType, acceleratorType and region (not every accelerator exists in every region)"
          : undefined;
  return new KoanError(status === 401 || status === 403 ? "CONFIG_INVALID" : "STEP_FAILED", `Vertex AI refused ${req.method} ${req.url} (HTTP ${status}${err.status ? ` ${err.status}` : ""}): ${msg}`, {
    ...(hint ? { hint } : {}),
    details: { httpStatus: status, reason: status === 429 || err.status === "RESOURCE_EXHAUSTED" ? "quota" : status === 400 ? "config" : "error" },
  });
}

/** Create the vertex backend. */
export function createVertexBackend(config: VertexBackendConfig, deps: VertexDeps = {}): StepBackend {
  let tokenFn: (() => Promise<string>) | undefined = deps.token;
  const token = async (): Promise<string> => {
    tokenFn ??= await adcToken();
    try {
      return await tokenFn();
    } catch (e) {
      throw new KoanError("CONFIG_INVALID", `no Google Cloud credentials for the vertex step backend: ${messageOf(e)}`, {
        hint: "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run where workload identity applies",
      });
    }
  };
  /** Send a request to a Google API (`service` names it in messages; `toError` maps its HTTP errors). */
  const send = async (req: VertexJobRequest, service = "Vertex AI", toError = httpError): Promise<Record<string, unknown>> => {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      ...(req.body ? { body: JSON.stringify(req.body) } : {}),
    }).catch((e: unknown) => {
      throw new KoanError("STORE_UNAVAILABLE", `cannot reach ${service} at ${req.url}: ${messageOf(e)}`, { hint: "check the network and the backend's region" });
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { error: { message: text.slice(0, 500) } };
    }
    if (res.status >= 300) throw toError(req, res.status, body);
    return body;
  };
  const resourceUrl = (id: string): string => `${apiRoot(config)}/v1/${id}`;
  /** Per job: when it was created (where its log starts), and its log reader once the log is read. */
  const jobs = new Map<string, { created?: string | undefined; log?: JobLogReader }>();
  const created = (id: string, time: string | undefined): void => {
    const j = jobs.get(id);
    if (!j) jobs.set(id, { created: time });
    else j.created ??= time;
  };

  return {
    flavor: "vertex",
    logSettleMs: config.logSettleMs ?? 10_000,
    async check() {
      projectOf(config);
      await token();
    },
    request(job: StepJob) {
      return customJobRequest(job, config, projectOf(config));
    },
    async submit(job) {
      const resource = (await send(customJobRequest(job, config, projectOf(config)))) as CustomJobResource;
      if (!resource.name) throw new KoanError("STEP_FAILED", `Vertex AI created job "${job.name}" but returned no resource name`);
      created(resource.name, resource.createTime);
      return { id: resource.name, name: resource.displayName ?? job.name };
    },
    async status(handle: JobHandle): Promise<JobStatus> {
      const resource = (await send({ method: "GET", url: resourceUrl(handle.id) })) as CustomJobResource;
      created(handle.id, resource.createTime);
      return vertexJobStatus(resource);
    },
    async logs(handle) {
      const project = projectOf(config);
      const j = jobs.get(handle.id) ?? {};
      jobs.set(handle.id, j);
      // The log starts when the job was created (seen by submit or status); for a job never seen, an hour ago.
      j.log ??= jobLogReader((req) => send(req, "Cloud Logging", (r, status, body) => loggingError(r, status, body, project)), config, project, handle.id, j.created ?? new Date(Date.now() - 3600_000).toISOString());
      return j.log.read();
    },
    async cancel(handle) {
      try {
        await send({ method: "POST", url: `${resourceUrl(handle.id)}:cancel`, body: {} });
      } catch (e) {
        // A job that already ended cannot be cancelled (FAILED_PRECONDITION): that is fine.
        if (!(e instanceof KoanError && [400, 404].includes(Number(e.details.httpStatus)))) throw e;
      }
    },
    async close() {
      jobs.clear();
    },
  };
}
