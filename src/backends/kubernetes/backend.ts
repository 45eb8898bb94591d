/**
 * The `kubernetes` step backend: submits a step as a `batch/v1` Job in the configured namespace of the current
 * (or named) kubeconfig context, follows the Job, its pod, the pod's events and log (read incrementally, see
 * ./logs.ts), and deletes the Job (and its pod) to cancel. A pod that cannot start — image pull errors, a missing
 * Secret, a quota refusal — fails the step once the problem has lasted `problemGraceMs` (at once for an invalid
 * image name).
 * @module
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { JobHandle, JobStatus, StepBackend } from "../types.js";
import { kubeJobsApi, loadKubeConfig, type KubeJobsApi } from "./api.js";
import { newPodLogLines, type PodLogState } from "./logs.js";
import { jobManifest, STEP_CONTAINER, type KubernetesBackendConfig } from "./manifest.js";
import { isFatalProblem, observeKubernetesJob } from "./state.js";

/** What the backend needs from outside (tests give a kubeconfig pointing at a fake API server). */
export interface KubernetesDeps {
  kubeConfig?: KubeConfig;
  /** The clock (ms), for the problem grace period. */
  now?: () => number;
}

interface Tracked {
  /** When the current start problem was first seen. */
  problemSince?: number;
  problemReason?: string;
  /** How far each pod's log was read, by pod uid. */
  podLogs: Map<string, PodLogState>;
  cancelled: boolean;
}

/** Create the kubernetes backend. */
export function createKubernetesBackend(config: KubernetesBackendConfig, deps: KubernetesDeps = {}): StepBackend {
  let api: KubeJobsApi | undefined;
  const client = async (): Promise<KubeJobsApi> => (api ??= await kubeJobsApi(await loadKubeConfig({ context: config.context, given: deps.kubeConfig })));
  const now = deps.now ?? Date.now;
  const tracked = new Map<string, Tracked>();
  const track = (h: JobHandle): Tracked => {
    let t = tracked.get(h.id);
    if (!t) tracked.set(h.id, (t = { podLogs: new Map(), cancelled: false }));
    return t;
  };
  const selector = (name: string): string => `job-name=${name}`;

  return {
    flavor: "kubernetes",
    async check() {
      // A cheap authenticated call: refuses bad credentials or missing permissions before anything is submitted.
      await (await client()).listPods(config.namespace, "app.kubernetes.io/managed-by=koan,koan.dev/probe=none");
    },
    request(job) {
      return jobManifest(job, config);
    },
    async submit(job) {
      const created = await (await client()).createJob(config.namespace, jobManifest(job, config));
      const name = created.metadata?.name ?? job.name;
      return { id: `${config.namespace}/${name}`, name };
    },
    async status(handle): Promise<JobStatus> {
      const api = await client();
      const t = track(handle);
      const job = await api.readJob(config.namespace, handle.name);
      if (!job) {
        if (t.cancelled) return { phase: "cancelled", lastEvent: `Job ${handle.name} was deleted` };
        return { phase: "failed", error: { reason: "error", message: `Job ${handle.name} disappeared from namespace ${config.namespace} (deleted by someone else?)` } };
      }
      const pods = await api.listPods(config.namespace, selector(handle.name));
      const events = [
        ...(await api.listEvents(config.namespace, handle.name)),
        ...(await Promise.all(pods.map((p) => api.listEvents(config.namespace, p.metadata?.name ?? "")))).flat(),
      ];
      const seen = observeKubernetesJob(job, pods, events);
      if (!seen.problem) {
        delete t.problemSince;
        delete t.problemReason;
        return seen.status;
      }
      if (t.problemReason !== seen.problem.reason || t.problemSince === undefined) t.problemSince = now();
      t.problemReason = seen.problem.reason;
      const since = t.problemSince ?? now();
      if (isFatalProblem(seen.problem) || now() - since >= config.problemGraceMs) {
        return { phase: "failed", stuck: true, lastEvent: seen.problem.message, error: { reason: seen.problem.reason, message: seen.problem.message } };
      }
      return { ...seen.status, lastEvent: seen.problem.message };
    },
    async logs(handle) {
      const api = await client();
      return newPodLogLines(api, config.namespace, await api.listPods(config.namespace, selector(handle.name)), STEP_CONTAINER, track(handle).podLogs);
    },
    async cancel(handle) {
      track(handle).cancelled = true;
      await (await client()).deleteJob(config.namespace, handle.name);
    },
    async close() {
      tracked.clear();
    },
  };
}

