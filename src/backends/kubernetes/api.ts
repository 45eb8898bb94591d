/**
 * The Kubernetes calls of the step backend and the Argo orchestrator, over `@kubernetes/client-node` (imported
 * only here, only when used): the kubeconfig (current or named context), Jobs, pods, their events and logs, and
 * custom objects (Argo Workflows). API errors become `KoanError`s naming the object and the HTTP status.
 * @module
 */
import type { ConfigurationOptions, CoreV1Event, KubeConfig, ObservableMiddleware, V1Job, V1Pod } from "@kubernetes/client-node";
import { KoanError, messageOf } from "../../core/errors.js";
import { clusterConfigured } from "../../serving/deploy/kubernetes.js";

/** The HTTP status of a client error, if it has one. */
export function httpStatusOf(e: unknown): number | undefined {
  const x = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const v of [x.code, x.statusCode, x.response?.statusCode]) if (typeof v === "number") return v;
  return undefined;
}

/** The message the API server gave (its Status object's `message`), else the error's own. */
function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      if (body.trim()) return body.trim().slice(0, 500);
    }
  } else if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") {
    return (body as { message: string }).message;
  }
  return messageOf(e);
}

/** A Kubernetes API error as a KoanError: what was refused, the status, the server's message, and a hint. */
export function kubeError(e: unknown, what: string): KoanError {
  if (e instanceof KoanError) return e;
  const status = httpStatusOf(e);
  const hint =
    status === 401
      ? "the kubeconfig's credentials were refused: refresh them (e.g. gcloud container clusters get-credentials)"
      : status === 403
        ? "your kubeconfig user lacks permission: it needs create/get/list/delete on jobs, and get/list on pods, pods/log and events, in the namespace"
        : status === 404
          ? "check the namespace exists (and, for workflows, that Argo Workflows is installed)"
          : status === undefined
            ? "is the cluster reachable from here? (kubectl cluster-info)"
            : undefined;
  return new KoanError(status === 401 || status === 403 ? "CONFIG_INVALID" : "STORE_UNAVAILABLE", `Kubernetes refused to ${what}${status ? ` (HTTP ${status})` : ""}: ${apiMessage(e)}`, {
    ...(hint ? { hint } : {}),
    details: { ...(status ? { httpStatus: status } : {}) },
  });
}

/** The kubeconfig to use: `given`, else the default one (KUBECONFIG, ~/.kube/config or in-cluster), at `context`. */
export async function loadKubeConfig(options: { context?: string | undefined; given?: KubeConfig | undefined } = {}): Promise<KubeConfig> {
  if (options.given) return options.given;
  if (!clusterConfigured()) {
    throw new KoanError("CONFIG_INVALID", "no Kubernetes cluster is configured (no KUBECONFIG, ~/.kube/config or in-cluster service account)", {
      hint: "point KUBECONFIG at your cluster's kubeconfig (e.g. gcloud container clusters get-credentials <cluster>)",
    });
  }
  const k8s = await import("@kubernetes/client-node").catch((e: unknown) => {
    throw new KoanError("CONFIG_INVALID", `@kubernetes/client-node is not installed: ${messageOf(e)}`, { hint: "npm install @kubernetes/client-node" });
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  if (options.context) {
    if (!kc.getContextObject(options.context)) throw new KoanError("CONFIG_INVALID", `the kubeconfig has no context "${options.context}"`, { hint: `contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}` });
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new KoanError("CONFIG_INVALID", "the kubeconfig has no current cluster", { hint: "kubectl config use-context <name>" });
  return kc;
}

/** The calls the step backend makes. */
export interface KubeJobsApi {
  createJob(namespace: string, job: V1Job): Promise<V1Job>;
  /** The Job, or undefined when it does not exist. */
  readJob(namespace: string, name: string): Promise<V1Job | undefined>;
  /** Delete the Job and its pods (absent is fine). */
  deleteJob(namespace: string, name: string): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /** Events about one object (a Job or a pod). */
  listEvents(namespace: string, objectName: string): Promise<CoreV1Event[]>;
  /** The log of a pod's container so far (from `sinceTime` on; with `timestamps`, each line starts with its time). */
  podLog(namespace: string, pod: string, container: string, options?: PodLogOptions): Promise<string>;
}

/** Which part of a pod's log to read. */
export interface PodLogOptions {
  /** Only lines written at or after this time (RFC 3339; the API server compares whole seconds). */
  sinceTime?: string | undefined;
  /** Start each line with its RFC 3339 time and a space. */
  timestamps?: boolean;
  /** The log of the container's previous instance (before a restart). */
  previous?: boolean;
}

/**
 * Call options adding `sinceTime` to a request's query. The API takes `sinceTime` on a pod's log, but this
 * client's generated `readNamespacedPodLog` has no parameter for it; a per-call middleware adds it.
 */
function withSinceTime(k8s: typeof import("@kubernetes/client-node"), sinceTime: string | undefined): ConfigurationOptions | undefined {
  if (!sinceTime) return undefined;
  const add: ObservableMiddleware = {
    pre: (ctx) => {
      ctx.setQueryParam("sinceTime", sinceTime);
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (res) => new k8s.Observable(Promise.resolve(res)),
  };
  return { middleware: [add], middlewareMergeStrategy: "append" };
}

/** The Jobs API over a kubeconfig. */
export async function kubeJobsApi(kc: KubeConfig): Promise<KubeJobsApi> {
  const k8s = await import("@kubernetes/client-node");
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    async createJob(namespace, job) {
      try {
        return await batch.createNamespacedJob({ namespace, body: job });
      } catch (e) {
        throw kubeError(e, `create Job "${job.metadata?.name}" in namespace "${namespace}"`);
      }
    },
    async readJob(namespace, name) {
      try {
        return await batch.readNamespacedJob({ namespace, name });
      } catch (e) {
        if (httpStatusOf(e) === 404) return undefined;
        throw kubeError(e, `read Job "${name}" in namespace "${namespace}"`);
      }
    },
    async deleteJob(namespace, name) {
      try {
        await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" });
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw kubeError(e, `delete Job "${name}" in namespace "${namespace}"`);
      }
    },
    async listPods(namespace, labelSelector) {
      try {
        return (await core.listNamespacedPod({ namespace, labelSelector })).items;
      } catch (e) {
        throw kubeError(e, `list pods (${labelSelector}) in namespace "${namespace}"`);
      }
    },
    async listEvents(namespace, objectName) {
      try {
        return (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` })).items;
      } catch (e) {
        throw kubeError(e, `list events of "${objectName}" in namespace "${namespace}"`);
      }
    },
    async podLog(namespace, pod, container, options = {}) {
      try {
        const { sinceTime, ...rest } = options;
        return await core.readNamespacedPodLog({ namespace, name: pod, container, ...rest }, withSinceTime(k8s, sinceTime));
      } catch (e) {
        throw kubeError(e, `read the log of pod "${pod}" in namespace "${namespace}"`);
      }
    },
  };
}
