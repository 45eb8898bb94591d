/**
 * Mapping a Vertex AI `CustomJob` resource (its `state` and `error`, a `google.rpc.Status`) onto Koan's job
 * phases and failure reasons.
 * @module
 */
import type { JobFailureReason, JobStatus } from "../types.js";

/** The fields of a CustomJob resource Koan reads. */
export interface CustomJobResource {
  name?: string;
  displayName?: string;
  state?: string;
  createTime?: string;
  startTime?: string;
  endTime?: string;
  updateTime?: string;
  error?: { code?: number; message?: string };
}

/** gRPC status codes Vertex AI puts in `error.code`. */
const RPC = { CANCELLED: 1, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8 } as const;

/** The kind of a CustomJob error, from its code and message. */
export function vertexFailureReason(error: { code?: number; message?: string } | undefined): JobFailureReason {
  const code = error?.code;
  const message = error?.message ?? "";
  if (code === RPC.RESOURCE_EXHAUSTED || /quota|exceed.*limit|resources? (are |is )?(not )?(un)?available|stockout/i.test(message)) return "quota";
  if (/pull(ing)? (the )?(container )?image|image pull|ImagePullBackOff|ErrImagePull|manifest (for .* )?(unknown|not found)|image .*(not found|does not exist)/i.test(message)) return "image-pull";
  if (code === RPC.DEADLINE_EXCEEDED || /timed? ?out|deadline/i.test(message)) return "deadline";
  if (/exited with a non-zero status|Termination reason/i.test(message)) return "error";
  if (code === RPC.INVALID_ARGUMENT || code === RPC.PERMISSION_DENIED || code === RPC.NOT_FOUND) return "config";
  return "error";
}

/** The job status of a CustomJob resource. */
export function vertexJobStatus(job: CustomJobResource): JobStatus {
  const state = job.state ?? "JOB_STATE_UNSPECIFIED";
  const since = job.updateTime ?? job.startTime ?? job.createTime;
  const lastEvent = `${state}${since ? ` since ${since}` : ""}${job.error?.message ? `: ${job.error.message}` : ""}`;
  switch (state) {
    case "JOB_STATE_SUCCEEDED":
      return { phase: "succeeded", lastEvent };
    case "JOB_STATE_CANCELLED":
      return { phase: "cancelled", lastEvent };
    case "JOB_STATE_FAILED":
    case "JOB_STATE_PARTIALLY_SUCCEEDED":
      return { phase: "failed", lastEvent, error: { message: job.error?.message ?? `the job ended in ${state}`, reason: vertexFailureReason(job.error) } };
    case "JOB_STATE_EXPIRED":
      return { phase: "failed", lastEvent, error: { message: job.error?.message ?? "the job expired before it could be scheduled", reason: "quota" } };
    case "JOB_STATE_RUNNING":
    case "JOB_STATE_CANCELLING":
    case "JOB_STATE_PAUSED":
    case "JOB_STATE_UPDATING":
      return { phase: "running", lastEvent };
    default:
      // JOB_STATE_QUEUED, JOB_STATE_PENDING, JOB_STATE_UNSPECIFIED: not started yet.
      return { phase: "queued", lastEvent };
  }
}
