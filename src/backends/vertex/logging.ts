/**
 * The log of a Vertex AI CustomJob, read from Cloud Logging while the job runs. Vertex AI writes what the job's
 * containers print (and its own service messages) as log entries of the monitored resource `ml_job`, labelled
 * with the job's numeric id (`resource.labels.job_id`, the last part of the CustomJob's resource name) and the
 * replica (`task_name`, e.g. `workerpool0-0`) — the entries `gcloud ai custom-jobs stream-logs` shows. They are
 * listed with `POST https://logging.googleapis.com/v2/entries:list`, oldest first, from the newest timestamp
 * already read on (a {@link LogCursor} drops what comes again), page by page. Reading needs the permission
 * `logging.logEntries.list` (role `roles/logging.viewer`) on the project.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { LogCursor } from "../log-cursor.js";
import type { VertexBackendConfig, VertexJobRequest } from "./request.js";

/** The fields of a Cloud Logging `LogEntry` Koan reads. */
export interface LogEntry {
  timestamp?: string;
  insertId?: string;
  textPayload?: string;
  jsonPayload?: { message?: unknown; [key: string]: unknown };
  severity?: string;
}

/** An `entries:list` answer. */
interface ListEntriesResponse {
  entries?: LogEntry[];
  nextPageToken?: string;
}

/** Entries asked for per page (the API's maximum). */
export const LOG_PAGE_SIZE = 1000;
/** Pages read per poll at most; the rest comes on the next poll (the cursor has moved on). */
const MAX_PAGES = 50;

/** The Cloud Logging API root: `https://logging.googleapis.com` unless `loggingEndpoint` says otherwise. */
export function loggingRoot(config: Pick<VertexBackendConfig, "loggingEndpoint">): string {
  return (config.loggingEndpoint ?? "https://logging.googleapis.com").replace(/\/+$/, "");
}

/** The numeric id of a CustomJob (`projects/<n>/locations/<r>/customJobs/<id>` → `<id>`), its logs' `job_id`. */
export function customJobId(resourceName: string): string {
  return resourceName.split("/").pop() ?? resourceName;
}

/** The Cloud Logging filter of a job's entries from `since` (an RFC 3339 timestamp) on. */
export function jobLogFilter(jobId: string, since: string): string {
  return `resource.type="ml_job" AND resource.labels.job_id="${jobId}" AND timestamp>="${since}"`;
}

/** The `entries:list` request of one page. */
export function entriesListRequest(config: VertexBackendConfig, project: string, filter: string, pageToken?: string): VertexJobRequest {
  return {
    method: "POST",
    url: `${loggingRoot(config)}/v2/entries:list`,
    body: { resourceNames: [`projects/${project}`], filter, orderBy: "timestamp asc", pageSize: LOG_PAGE_SIZE, ...(pageToken ? { pageToken } : {}) },
  };
}

/** The lines of an entry: its `textPayload`, else its `jsonPayload.message`, else its JSON payload; none when empty. */
export function entryLines(entry: LogEntry): string[] {
  const payload = entry.jsonPayload;
  const text = entry.textPayload ?? (typeof payload?.message === "string" ? payload.message : payload ? JSON.stringify(payload) : "");
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** A Cloud Logging HTTP error; a refusal (401/403) is `CONFIG_INVALID` naming the permission it needs. */
export function loggingError(req: VertexJobRequest, status: number, body: Record<string, unknown>, project: string): KoanError {
  const err = (body.error ?? {}) as { message?: string; status?: string };
  const msg = err.message ?? JSON.stringify(body).slice(0, 500);
  const refused = status === 401 || status === 403;
  return new KoanError(refused ? "CONFIG_INVALID" : "STORE_UNAVAILABLE", `Cloud Logging refused ${req.method} ${req.url} (HTTP ${status}${err.status ? ` ${err.status}` : ""}): ${msg}`, {
    hint: refused
      ? `the account running koan may not read the job's log: grant it roles/logging.viewer (permission logging.logEntries.list) on project ${project}`
      : "Cloud Logging may be busy (its read quota is per minute): the next poll tries again",
    details: { httpStatus: status },
  });
}

/** Sends one request and returns the JSON answer (throws the API's error). */
export type SendRequest = (req: VertexJobRequest) => Promise<Record<string, unknown>>;

/** Reads one job's log: each `read()` returns the lines not returned before, in order. */
export interface JobLogReader {
  read(): Promise<string[]>;
}

/**
 * A reader of the log of the CustomJob `resourceName`, from `start` (the job's creation time, RFC 3339) on.
 *
 * @example
 * ```ts
 * const reader = jobLogReader(send, config, "acme-ml", job.name, job.createTime);
 * for (const line of await reader.read()) console.log(line);
 * ```
 */
export function jobLogReader(send: SendRequest, config: VertexBackendConfig, project: string, resourceName: string, start: string): JobLogReader {
  const cursor = new LogCursor();
  const jobId = customJobId(resourceName);
  return {
    async read() {
      const filter = jobLogFilter(jobId, cursor.since ?? start);
      cursor.begin();
      const out: string[] = [];
      let pageToken: string | undefined;
      try {
        for (let page = 0; page < MAX_PAGES; page++) {
          const res = (await send(entriesListRequest(config, project, filter, pageToken))) as ListEntriesResponse;
          for (const entry of res.entries ?? []) {
            const lines = entryLines(entry);
            if (cursor.take(entry.timestamp, entry.insertId ?? `${entry.timestamp ?? ""} ${lines.join("\n")}`)) out.push(...lines);
          }
          pageToken = res.nextPageToken || undefined;
          if (!pageToken) break;
        }
      } catch (e) {
        // Lines taken from earlier pages are returned (the cursor moved past them); the next read goes on from there.
        if (!out.length) throw e;
      }
      return out;
    },
  };
}
