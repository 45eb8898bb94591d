/**
 * A fake of the Kubernetes pod log endpoint (`GET /api/v1/namespaces/<ns>/pods/<pod>/log`) answering like the
 * kubelet behind the API server: the lines a container instance has written so far (revealed as the job is read),
 * from `sinceTime` on (lines at or after it, compared as times), each prefixed with its time and a space when
 * `timestamps=true`; `previous=true` reads the container's instance before its last restart.
 */
import type { Route } from "./fake-server.js";

/** One line a pod's container writes. */
export interface PodLogLine {
  /** RFC3339Nano, as the kubelet writes it (trailing zeros trimmed). */
  time: string;
  text: string;
  /** The job read (1-based) from which the line exists. */
  from: number;
  /** The container instance that wrote it: 0, then 1 after a restart, ... */
  instance?: number;
}

/** What the fake needs to know at each request. */
export interface PodLogState {
  /** How many times the job was read so far. */
  reads: number;
  /** The lines of each pod, by pod name. */
  logs: Readonly<Record<string, readonly PodLogLine[]>>;
  /** The container's restart count in the pod as currently listed. */
  restarts: (pod: string) => number;
}

/** The pod log route of namespace `ns`. */
export function podLogRoute(ns: string, state: () => PodLogState): Route {
  const path = new RegExp(`^/api/v1/namespaces/${ns}/pods/([^/]+)/log$`);
  return (r) => {
    const pod = r.method === "GET" ? path.exec(r.path)?.[1] : undefined;
    if (!pod) return undefined;
    const { reads, logs, restarts } = state();
    const current = restarts(pod);
    const previous = r.query.get("previous") === "true";
    if (previous && current === 0) {
      return { status: 400, json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "BadRequest", code: 400, message: `previous terminated container "step" in pod "${pod}" not found` } };
    }
    const instance = previous ? current - 1 : current;
    const since = r.query.get("sinceTime");
    const from = since ? Date.parse(since) : -Infinity;
    const stamps = r.query.get("timestamps") === "true";
    const lines = (logs[pod] ?? []).filter((l) => (l.instance ?? 0) === instance && l.from <= reads && Date.parse(l.time) >= from);
    return { text: lines.map((l) => `${stamps ? `${l.time} ` : ""}${l.text}\n`).join("") };
  };
}
