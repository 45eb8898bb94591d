/**
 * Routes of a local fake of the Vertex AI `customJobs` API and of Cloud Logging's `entries:list`, serving the
 * recorded responses of test/backends/fixtures/vertex to the real backend. The job's state answers follow a
 * script (or a function); its log entries are revealed as the job is read (`visible(gets)`), so later polls see
 * more of them, and `entries:list` answers like the API: entries matching the filter's job and
 * `timestamp>="..."`, oldest first (then by insertId), a few per page with a `nextPageToken`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LogEntry } from "../../src/backends/vertex/logging.js";
import { REPO } from "../helpers.js";
import type { Route, SeenRequest } from "./fake-server.js";

const FIX = join(REPO, "test", "backends", "fixtures", "vertex");
/** A fixture of test/backends/fixtures/vertex, parsed. */
export const vertexFixture = (name: string): unknown => JSON.parse(readFileSync(join(FIX, `${name}.json`), "utf8"));
/** The CustomJob every fixture describes, and its numeric id. */
export const JOB = "projects/123456789012/locations/us-central1/customJobs/4471960817345527808";
export const JOB_ID = "4471960817345527808";
/** The recorded log entries of the job, in the order they were written. */
export const LOG_ENTRIES = vertexFixture("log-entries") as (LogEntry & { timestamp: string; insertId: string })[];

/** What the fake answers; tests change it between cases. */
export interface VertexScript {
  /** The create answer: HTTP status and fixture. */
  created: { status: number; name: string };
  /** The job's GET answers (fixture names) in order, the last one repeating; or a function of the GET count. */
  states: string[] | ((gets: number) => string);
  entries: readonly (LogEntry & { timestamp: string; insertId: string })[];
  /** How many of `entries` exist once the job was read `gets` times (default: none). */
  visible: (gets: number) => number;
  /** Entries per page at most (the API may return fewer than asked for). */
  pageSize: number;
  /** `entries:list` fails with this for its next `times` calls. */
  loggingError?: { status: number; json: unknown; times: number };
  /** Called with the create request's body. */
  onCreate?: (body: unknown) => void;
}

const defaults = (): VertexScript => ({ created: { status: 200, name: "job-pending" }, states: ["job-pending"], entries: [], visible: () => 0, pageSize: 2 });

/** The fake's routes and controls. */
export function fakeVertex(): { routes: Route[]; script: VertexScript; gets: () => number; reset: (over?: Partial<VertexScript>) => void; logCalls: (requests: readonly SeenRequest[]) => SeenRequest[] } {
  let script = defaults();
  let gets = 0;
  const state = (): string => (typeof script.states === "function" ? script.states(gets) : (script.states[Math.min(gets - 1, script.states.length - 1)] ?? "job-pending"));

  const entriesList: Route = (r) => {
    if (r.method !== "POST" || r.path !== "/v2/entries:list") return undefined;
    const err = script.loggingError;
    if (err && err.times > 0) {
      err.times--;
      return { status: err.status, json: err.json };
    }
    const body = r.body as { filter?: string; pageSize?: number; pageToken?: string; orderBy?: string };
    const filter = body.filter ?? "";
    if (!filter.includes('resource.type="ml_job"') || !filter.includes(`resource.labels.job_id="${JOB_ID}"`) || body.orderBy !== "timestamp asc") {
      return { status: 400, json: { error: { code: 400, message: `the fake serves job ${JOB_ID}'s entries oldest first; got filter ${filter}`, status: "INVALID_ARGUMENT" } } };
    }
    // Every timestamp here is written with nine fractional digits, so strings compare as times.
    const since = /timestamp>="([^"]+)"/.exec(filter)?.[1] ?? "";
    const matching = script.entries
      .slice(0, script.visible(gets))
      .filter((e) => e.timestamp >= since)
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.insertId.localeCompare(b.insertId));
    const from = Number(body.pageToken ?? 0);
    const to = from + Math.min(body.pageSize ?? 50, script.pageSize);
    return { json: { ...(to > from && matching.length > from ? { entries: matching.slice(from, to) } : {}), ...(to < matching.length ? { nextPageToken: String(to) } : {}) } };
  };

  const routes: Route[] = [
    (r) => {
      if (r.method !== "POST" || !r.path.endsWith("/customJobs")) return undefined;
      script.onCreate?.(r.body);
      return { status: script.created.status, json: vertexFixture(script.created.name) };
    },
    (r) => (r.method === "POST" && r.path === `/v1/${JOB}:cancel` ? { json: {} } : undefined),
    (r) => {
      if (r.method !== "GET" || r.path !== `/v1/${JOB}`) return undefined;
      gets++;
      return { json: vertexFixture(state()) };
    },
    entriesList,
  ];
  return {
    routes,
    get script() {
      return script;
    },
    gets: () => gets,
    reset(over = {}) {
      script = { ...defaults(), ...over };
      gets = 0;
    },
    logCalls: (requests) => requests.filter((r) => r.path === "/v2/entries:list"),
  };
}
