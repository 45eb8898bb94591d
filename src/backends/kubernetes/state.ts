/**
 * Mapping a step's Kubernetes Job, its pods and their events onto Koan's job phases. A Job whose pod cannot start
 * (image pull errors, a missing Secret, a quota refusal) never fails by itself; these are reported as a
 * *problem*, which the backend turns into a failure once it has lasted longer than the configured grace.
 * @module
 */
import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import type { JobFailureReason, JobStatus } from "../types.js";

/** A condition that keeps the pod from starting and will not clear by itself (or only with a fix). */
export interface StartProblem {
  reason: JobFailureReason;
  message: string;
}

/** What one look at the cluster says. */
export interface KubernetesObservation {
  status: JobStatus;
  problem?: StartProblem;
}

const IMAGE_FATAL = new Set(["InvalidImageName", "ErrImageNeverPull"]);
const IMAGE_RETRYING = new Set(["ErrImagePull", "ImagePullBackOff"]);
const CONFIG_WAITING = new Set(["CreateContainerConfigError", "CreateContainerError"]);

const time = (e: CoreV1Event): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0).getTime();

/** The newest event, as `Reason: message`. */
export function lastEventOf(events: readonly CoreV1Event[]): string | undefined {
  const sorted = [...events].sort((a, b) => time(a) - time(b));
  const e = sorted[sorted.length - 1];
  return e ? `${e.reason ?? "Event"}: ${(e.message ?? "").trim()}` : undefined;
}

/** Why the step's container ended, from the pod (exit code, reason such as OOMKilled, termination message). */
function terminationOf(pods: readonly V1Pod[]): string | undefined {
  for (const pod of pods) {
    for (const cs of pod.status?.containerStatuses ?? []) {
      const t = cs.state?.terminated ?? cs.lastState?.terminated;
      if (t && t.exitCode !== 0) return `container ${cs.name} exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ""}${t.message ? `: ${t.message.trim()}` : ""}`;
    }
  }
  return undefined;
}

/** A problem that keeps the pod from starting, if any. */
function startProblem(pods: readonly V1Pod[], events: readonly CoreV1Event[]): StartProblem | undefined {
  for (const pod of pods) {
    for (const cs of pod.status?.containerStatuses ?? []) {
      const w = cs.state?.waiting;
      if (!w?.reason) continue;
      const message = `${w.reason}: ${(w.message ?? "").trim() || `container ${cs.name} of pod ${pod.metadata?.name ?? "?"} is waiting`}`;
      if (IMAGE_FATAL.has(w.reason) || IMAGE_RETRYING.has(w.reason)) return { reason: "image-pull", message };
      if (CONFIG_WAITING.has(w.reason)) return { reason: "config", message };
    }
  }
  const refused = [...events].reverse().find((e) => e.reason === "FailedCreate" && /exceeded quota|forbidden/i.test(e.message ?? ""));
  if (refused) return { reason: /exceeded quota/i.test(refused.message ?? "") ? "quota" : "config", message: `FailedCreate: ${(refused.message ?? "").trim()}` };
  return undefined;
}

/** Whether a problem fails the job at once (it cannot clear by waiting). */
export function isFatalProblem(problem: StartProblem): boolean {
  return [...IMAGE_FATAL].some((r) => problem.message.startsWith(`${r}:`));
}

/** The phase of a step's Job from the Job, its pods and their events. */
export function observeKubernetesJob(job: V1Job, pods: readonly V1Pod[], events: readonly CoreV1Event[]): KubernetesObservation {
  const lastEvent = lastEventOf(events);
  const conditions = job.status?.conditions ?? [];
  const on = (type: string) => conditions.find((c) => c.type === type && c.status === "True");
  const with_ = (s: Omit<JobStatus, "lastEvent">): JobStatus => ({ ...s, ...(lastEvent ? { lastEvent } : {}) });
  if (on("Complete") || on("SuccessCriteriaMet")) return { status: with_({ phase: "succeeded" }) };
  const failed = on("Failed") ?? on("FailureTarget");
  if (failed) {
    const ending = terminationOf(pods);
    if (failed.reason === "DeadlineExceeded") {
      return { status: with_({ phase: "failed", error: { reason: "deadline", message: `the job passed its deadline (activeDeadlineSeconds ${job.spec?.activeDeadlineSeconds ?? "?"}): ${failed.message ?? ""}`.trim() } }) };
    }
    const problem = startProblem(pods, events);
    const message = [failed.reason, failed.message, ending].filter(Boolean).join(": ") || "the job failed";
    return { status: with_({ phase: "failed", error: { reason: problem && !ending ? problem.reason : "error", message } }) };
  }
  if ((job.status?.failed ?? 0) > 0 && (job.status?.active ?? 0) === 0 && (job.spec?.backoffLimit ?? 6) === 0) {
    return { status: with_({ phase: "failed", error: { reason: "error", message: terminationOf(pods) ?? "the step's pod failed" } }) };
  }
  if (pods.some((p) => p.status?.phase === "Running" || p.status?.phase === "Succeeded")) return { status: with_({ phase: "running" }) };
  const problem = startProblem(pods, events);
  return { status: with_({ phase: "queued" }), ...(problem ? { problem } : {}) };
}
