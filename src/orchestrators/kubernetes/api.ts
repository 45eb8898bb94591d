/**
 * Argo Workflows over the Kubernetes API (`argoproj.io/v1alpha1`, plural `workflows`) with
 * `@kubernetes/client-node` (imported only when used): create a Workflow, read it, and stop it by setting
 * `spec.shutdown` (what `argo terminate` does).
 * @module
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { httpStatusOf, kubeError } from "../../backends/kubernetes/api.js";
import type { ArgoWorkflow } from "../../export/argo.js";

/** One node of a Workflow's status (a pod, a retry group, the DAG). */
export interface WorkflowNode {
  id?: string;
  name?: string;
  displayName?: string;
  type?: string;
  templateName?: string;
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  children?: string[];
}

/** The parts of a Workflow resource Koan reads. */
export interface WorkflowResource {
  metadata?: { name?: string; namespace?: string; uid?: string };
  status?: { phase?: string; message?: string; startedAt?: string; finishedAt?: string; nodes?: Record<string, WorkflowNode> };
}

/** The calls the kubernetes orchestrator makes. */
export interface WorkflowsApi {
  create(namespace: string, workflow: ArgoWorkflow): Promise<WorkflowResource>;
  /** The workflow, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<WorkflowResource | undefined>;
  /** Stop it: `spec.shutdown` = `Terminate` (running pods are killed, no exit handler) or `Stop`. */
  shutdown(namespace: string, name: string, how: "Terminate" | "Stop"): Promise<void>;
}

const GROUP = "argoproj.io";
const VERSION = "v1alpha1";
const PLURAL = "workflows";

/** The Workflows API over a kubeconfig. */
export async function workflowsApi(kc: KubeConfig): Promise<WorkflowsApi> {
  const k8s = await import("@kubernetes/client-node");
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  return {
    async create(namespace, workflow) {
      try {
        return (await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: workflow })) as WorkflowResource;
      } catch (e) {
        throw kubeError(e, `create Workflow "${workflow.metadata.name ?? workflow.metadata.generateName}" in namespace "${namespace}"`);
      }
    },
    async get(namespace, name) {
      try {
        return (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as WorkflowResource;
      } catch (e) {
        if (httpStatusOf(e) === 404) return undefined;
        throw kubeError(e, `read Workflow "${name}" in namespace "${namespace}"`);
      }
    },
    async shutdown(namespace, name, how) {
      try {
        await api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: [{ op: "add", path: "/spec/shutdown", value: how }] });
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw kubeError(e, `stop Workflow "${name}" in namespace "${namespace}"`);
      }
    },
  };
}
