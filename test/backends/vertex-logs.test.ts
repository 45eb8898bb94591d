/**
 * Following a Vertex AI job's log from Cloud Logging, against a local fake of `entries:list` that reveals more
 * entries on each poll and pages them: each line relayed exactly once and in order (entries sharing a timestamp
 * across polls, multi-line entries, the lines written after the last poll of a running job included); a refusal
 * (HTTP 403: no roles/logging.viewer) gives one warning and the job is still followed to its end.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { followJob } from "../../src/backends/follow.js";
import { createVertexBackend } from "../../src/backends/vertex/backend.js";
import { customJobId, entryLines, jobLogFilter } from "../../src/backends/vertex/logging.js";
import { fakeServer, type FakeServer } from "./fake-server.js";
import { fakeVertex, JOB, JOB_ID, LOG_ENTRIES, vertexFixture } from "./fake-vertex.js";
import { config, job } from "./vertex-job.js";

/** Every line of the recorded entries, in order. */
const ALL_LINES = LOG_ENTRIES.flatMap((e) => entryLines(e));
/** Entries written by the end of each GET of the job (4 GETs while running; the 5th sees it succeeded). */
const REVEALED = [0, 0, 3, 5, 6, 9];
const STATES = ["job-pending", "job-running", "job-running", "job-running", "job-succeeded"];

describe("vertex job log from Cloud Logging", () => {
  let server: FakeServer;
  const fake = fakeVertex();
  before(async () => {
    server = await fakeServer(fake.routes);
  });
  after(() => server.close());

  async function follow(over: Parameters<typeof fake.reset>[0] = {}, settleMs = 0) {
    fake.reset({ states: STATES, entries: LOG_ENTRIES, visible: (gets) => REVEALED[Math.min(gets, REVEALED.length - 1)] ?? 0, ...over });
    server.requests.length = 0;
    const b = createVertexBackend(config({ apiEndpoint: server.url, loggingEndpoint: server.url, logSettleMs: settleMs }), { token: async () => "test-token" });
    const handle = await b.submit(job());
    const lines: string[] = [];
    const warnings: string[] = [];
    const outcome = await followJob(b, handle, { step: "train", signal: new AbortController().signal, pollMs: 5, startTimeoutMs: 60_000, onLog: (l) => lines.push(l), onWarning: (w) => warnings.push(w) });
    return { outcome, lines, warnings, calls: fake.logCalls(server.requests) };
  }

  it("relays every line exactly once and in order, across polls and pages, including the tail after the last poll", async () => {
    const { outcome, lines, warnings, calls } = await follow();
    assert.equal(outcome.kind, "succeeded");
    assert.deepEqual(warnings, []);
    assert.deepEqual(lines, ALL_LINES);
    assert.equal(lines.filter((l) => l === "epoch 1 val_loss 0.66").length, 1, "an entry at the timestamp of the previous poll's last one");
    assert.deepEqual(lines.slice(-3), ["saving model", "step train succeeded", "koan step-run: done in 1090.2 s"], "written after the last running poll: the read after the end");
    assert.ok(calls.some((c) => (c.body as { pageToken?: string }).pageToken), "pages followed through nextPageToken");
  });

  it("reads on for the settle period after the end: lines Cloud Logging ingests late are not lost", async () => {
    // The last three entries reach Cloud Logging only after the job's end: one more per read after it.
    let readsAfterEnd = 0;
    const visible = (gets: number): number => (gets < STATES.length ? (REVEALED[gets] ?? 0) : Math.min(LOG_ENTRIES.length, 6 + readsAfterEnd++));
    const late = await follow({ visible }, 200);
    assert.equal(late.outcome.kind, "succeeded");
    assert.deepEqual(late.lines, ALL_LINES, "every line, the late ones included, once and in order");
    readsAfterEnd = 0;
    const none = await follow({ visible }, 0);
    assert.ok(none.lines.length < ALL_LINES.length, "without a settle period the late lines are missed (what the setting is for)");
    assert.equal(config().logSettleMs, 0);
    assert.equal(createVertexBackend(config({ logSettleMs: undefined })).logSettleMs, 10_000, "10 s by default");
  });

  it("asks for the job's entries with the documented request: resource, job id, time, order, page size, token", async () => {
    const { calls } = await follow();
    const first = calls[0];
    assert.equal(first?.method, "POST");
    assert.equal(first?.headers.authorization, "Bearer test-token");
    const body = first?.body as { resourceNames: string[]; filter: string; orderBy: string; pageSize: number };
    assert.deepEqual(body.resourceNames, ["projects/acme"]);
    assert.equal(body.orderBy, "timestamp asc");
    assert.equal(body.pageSize, 1000);
    assert.equal(customJobId(JOB), JOB_ID);
    const created = (vertexFixture("job-pending") as { createTime: string }).createTime;
    assert.equal(body.filter, jobLogFilter(JOB_ID, created), "from the job's creation on");
    assert.equal(body.filter, `resource.type="ml_job" AND resource.labels.job_id="${JOB_ID}" AND timestamp>="${created}"`);
    const later = calls.map((c) => (c.body as { filter: string }).filter);
    assert.ok(later.includes(jobLogFilter(JOB_ID, "2025-03-04T10:04:10.550000000Z")), "a later poll goes on from the newest timestamp read");
  });

  it("warns once and follows the state only when the log may not be read (HTTP 403)", async () => {
    const { outcome, lines, warnings, calls } = await follow({ loggingError: { status: 403, json: vertexFixture("logging-denied-403"), times: Infinity } });
    assert.equal(outcome.kind, "succeeded", "the step is not failed by its log");
    assert.deepEqual(lines, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /HTTP 403 PERMISSION_DENIED.*logging\.logEntries\.list/);
    assert.match(warnings[0] ?? "", /roles\/logging\.viewer/);
    assert.equal(calls.length, 1, "no more reads once refused");
    assert.equal(fake.gets(), STATES.length, "the state is still followed to the end");
  });

  it("rides out a failing read: one warning, then the lines resume from where they were", async () => {
    const { outcome, lines, warnings } = await follow({ loggingError: { status: 503, json: { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } }, times: 2 } });
    assert.equal(outcome.kind, "succeeded");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /HTTP 503.*trying again/);
    assert.deepEqual(lines, ALL_LINES, "nothing lost, nothing twice");
  });
});
