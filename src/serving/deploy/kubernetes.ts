/**
 * Kubernetes plumbing of the Seldon Core and KServe deployers: writing a manifest as YAML, and `--apply` with
 * `@kubernetes/client-node` (imported only here, only when applying) against the cluster of the current
 * kubeconfig context: create the resource, or replace it when it exists; delete on undeploy.
 * @module
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { KoanError } from "../../core/errors.js";

/** A Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec: Record<string, unknown>;
}

/** The calls applying needs (the real client, or a stand-in in tests). */
export interface KubernetesClient {
  read(header: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<Manifest>;
  create(m: Manifest): Promise<Manifest>;
  replace(m: Manifest): Promise<Manifest>;
  delete(header: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<unknown>;
}

/** A manifest as YAML. */
export function manifestYaml(m: Manifest): string {
  return stringify(m, { lineWidth: 0 });
}

/** Whether a kubeconfig is present (`KUBECONFIG`, `~/.kube/config`, or in-cluster service account). */
export function clusterConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(":").some((f) => f && existsSync(f));
  if (env.KUBERNETES_SERVICE_HOST) return true;
  return existsSync(join(homedir(), ".kube", "config"));
}

/** The client of the current kubeconfig context. */
export async function defaultClient(): Promise<KubernetesClient> {
  if (!clusterConfigured()) {
    throw new KoanError("CONFIG_INVALID", "no Kubernetes cluster is configured (no KUBECONFIG, ~/.kube/config or in-cluster service account)", {
      hint: "point KUBECONFIG at your cluster's config, or deploy without --apply and apply the written manifest yourself",
    });
  }
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new KoanError("CONFIG_INVALID", "the kubeconfig has no current cluster", { hint: "kubectl config use-context <name>" });
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  return {
    read: (h) => api.read(h) as Promise<Manifest>,
    create: (m) => api.create(m) as Promise<Manifest>,
    replace: (m) => api.replace(m) as Promise<Manifest>,
    delete: (h) => api.delete(h),
  };
}

const statusOf = (e: unknown): number | undefined => {
  const x = e as { code?: number; statusCode?: number; response?: { statusCode?: number }; body?: { code?: number } };
  return x.code ?? x.statusCode ?? x.response?.statusCode ?? x.body?.code;
};

/** Create the resource, or replace it (keeping its resourceVersion) when it exists. */
export async function applyManifest(m: Manifest, client?: KubernetesClient): Promise<"created" | "replaced"> {
  const api = client ?? (await defaultClient());
  let existing: Manifest | undefined;
  try {
    existing = await api.read({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) } });
  } catch (e) {
    if (statusOf(e) !== 404) throw wrap(e, m, "read");
  }
  try {
    if (existing) {
      await api.replace({ ...m, metadata: { ...m.metadata, ...(existing.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}) } });
      return "replaced";
    }
    await api.create(m);
    return "created";
  } catch (e) {
    throw wrap(e, m, existing ? "replace" : "create");
  }
}

/** Delete the resource (gone already is fine). */
export async function deleteManifest(m: Pick<Manifest, "apiVersion" | "kind" | "metadata">, client?: KubernetesClient): Promise<"deleted" | "absent"> {
  const api = client ?? (await defaultClient());
  try {
    await api.delete({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) } });
    return "deleted";
  } catch (e) {
    if (statusOf(e) === 404) return "absent";
    throw wrap(e, m, "delete");
  }
}

function wrap(e: unknown, m: Pick<Manifest, "kind" | "metadata">, what: string): KoanError {
  const status = statusOf(e);
  return new KoanError("STORE_UNAVAILABLE", `Kubernetes refused to ${what} ${m.kind} "${m.metadata.name}"${status ? ` (HTTP ${status})` : ""}: ${e instanceof Error ? e.message : String(e)}`, {
    hint: "check the CRD is installed and your kubeconfig user may manage it",
  });
}
