/**
 * Reading a step pod's log incrementally: each read asks for the lines from the newest time already read on
 * (`sinceTime`, which the API server compares in whole seconds, with `timestamps=true`), and a {@link LogCursor}
 * drops the lines that come again (same time and text). Pods are read oldest first; a new pod (a replacement,
 * another uid) is read from its beginning; after a container restart, the rest of its previous instance's log is
 * read before the new one's. A pod that has ended is read once more by the read after the job's end.
 * @module
 */
import type { V1Pod } from "@kubernetes/client-node";
import { KoanError } from "../../core/errors.js";
import { LogCursor, timestampNanos, wholeSeconds } from "../log-cursor.js";
import type { KubeJobsApi } from "./api.js";

/** How far one pod's log was read. */
export interface PodLogState {
  cursor: LogCursor;
  /** The container restarts already accounted for. */
  restarts: number;
}

/** Pod phases whose container has a log. */
const READABLE = new Set(["Running", "Succeeded", "Failed"]);

/** A log line read with `timestamps=true`: its time (when it has one) and its text. */
export function splitTimestamp(line: string): { time?: string; text: string } {
  const m = /^(\d{4}-\d\d-\d\dT\S+)(?: ([\s\S]*))?$/.exec(line);
  if (!m?.[1] || timestampNanos(m[1]) === undefined) return { text: line };
  return { time: m[1], text: m[2] ?? "" };
}

/** The lines of one read that `cursor` has not taken yet (it takes them). */
export function takeNewLines(cursor: LogCursor, text: string): string[] {
  cursor.begin();
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out: string[] = [];
  for (const line of lines) {
    const { time, text: content } = splitTimestamp(line.replace(/\r$/, ""));
    if (cursor.take(time, content)) out.push(content);
  }
  return out;
}

const createdAt = (pod: V1Pod): number => new Date((pod.metadata?.creationTimestamp ?? 0) as unknown as string).getTime() || 0;

/**
 * The lines the pods' `container` logged since the previous call (`states` keeps the position per pod uid). A
 * refusal (`CONFIG_INVALID`: no permission on `pods/log`) is thrown; a log that cannot be read yet (container
 * starting, pod gone) is skipped until the next call.
 */
export async function newPodLogLines(api: KubeJobsApi, namespace: string, pods: readonly V1Pod[], container: string, states: Map<string, PodLogState>): Promise<string[]> {
  const out: string[] = [];
  const ordered = [...pods].sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  for (const pod of ordered) {
    const name = pod.metadata?.name;
    if (!name || !READABLE.has(pod.status?.phase ?? "")) continue;
    const key = pod.metadata?.uid ?? name;
    const state = states.get(key) ?? { cursor: new LogCursor(), restarts: 0 };
    states.set(key, state);
    const read = async (previous: boolean): Promise<void> => {
      const since = state.cursor.sinceNanos;
      try {
        const text = await api.podLog(namespace, name, container, { timestamps: true, sinceTime: since === undefined ? undefined : wholeSeconds(since), ...(previous ? { previous } : {}) });
        out.push(...takeNewLines(state.cursor, text));
      } catch (e) {
        if (e instanceof KoanError && e.code === "CONFIG_INVALID") throw e;
      }
    };
    const restarts = pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0;
    if (restarts > state.restarts) {
      await read(true);
      state.restarts = restarts;
    }
    await read(false);
  }
  return out;
}
