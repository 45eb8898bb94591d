import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { bigquerySource, pipeline, type BigquerySourceParams } from "../../src/index.js";
import { freePort } from "../stacks/postgres-server.js";
import { recording, startReplay, type Exchange, type ReplayServer } from "./bigquery-replay.js";
import { datasetOf, project } from "./helpers.js";

let hasClient = true;
try {
  await import("@google-cloud/bigquery");
} catch {
  hasClient = false;
}
const skip = hasClient ? false : "@google-cloud/bigquery is not installed";

const QUERY = "SELECT * FROM `koan-test.shop.orders` ORDER BY order_id";
const CHECKSUM = "SELECT COUNT(*) AS n, MAX(created) AS last_change FROM `koan-test.shop.orders`";
let server: ReplayServer | undefined;
let v1: Exchange[] = [];
let v2: Exchange[] = [];

before(async () => {
  if (skip) return;
  v1 = await recording("orders-v1");
  v2 = await recording("orders-v2");
  server = await startReplay(v1);
});
after(async () => {
  await server?.close();
});

const params = (extra: Partial<BigquerySourceParams> = {}): BigquerySourceParams => ({
  projectId: "koan-test",
  query: QUERY,
  apiEndpoint: server?.endpoint,
  auth: "none",
  pageRows: 2,
  maxRetries: 0,
  ...extra,
});
const load = (p: BigquerySourceParams) => pipeline({ name: "bq", build: () => { bigquerySource(undefined, { params: p }); } });

test("a BigQuery result, read page by page through the official client, becomes a dataset with BigQuery types mapped to kinds", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    server?.use(v1);
    server?.received.splice(0);
    const ds = await datasetOf(koan, await koan.run(load(params({ version: "2024-03" }))), "bigquery_source");
    assert.deepEqual(ds.features, { address: "bytes", amount: "float", big: "int64", created: "bytes", customer: "bytes", day: "bytes", order_id: "int64", paid: "int64", payload: "bytes", price: "float", tags: "bytes" });
    assert.equal(ds.rowCount("all"), 5);
    const calls = server?.received.map((r) => `${r.method} ${r.path.replace(/^\/bigquery\/v2\/projects\/koan-test/, "")} ${r.query.pageToken ? "page" : ""}`.trim());
    assert.deepEqual(calls, ["POST /queries", "GET /queries/job_Ez3hX6Y2nJ8kQ1a9Lq0sV4tRwPbU page", "GET /queries/job_Ez3hX6Y2nJ8kQ1a9Lq0sV4tRwPbU page"], "jobs.query, then getQueryResults per page");
    assert.equal(server?.received[0]?.body?.maxResults, 2);
    assert.equal(server?.received[0]?.headers.authorization, undefined, 'auth "none" sends no credentials');

    const rows: Record<string, unknown>[] = [];
    for await (const r of ds.rows("all", { lists: "always", bytes: "bytes" })) rows.push(r);
    const text = (v: unknown) => (v as Uint8Array[]).map((b) => new TextDecoder().decode(b));
    const byId = new Map(rows.map((r) => [(r.order_id as bigint[])[0], r]));
    const one = byId.get(1n);
    const two = byId.get(2n);
    assert.deepEqual(one?.big, [9223372036854775807n], "INT64 keeps all 64 bits");
    assert.deepEqual(two?.big, [-9223372036854775808n]);
    assert.deepEqual(one?.amount, [9.5]);
    assert.deepEqual(two?.amount, [], "NULL is a present, empty value");
    assert.deepEqual(one?.price, [Math.fround(19.99)]);
    assert.deepEqual(one?.paid, [1n]);
    assert.deepEqual(two?.paid, [0n]);
    assert.deepEqual(text(one?.tags), ["new", "vip"], "REPEATED is a list");
    assert.deepEqual(text(two?.tags), []);
    assert.deepEqual(text(one?.created), ["2024-01-02T03:04:05.000Z"]);
    assert.deepEqual(text(one?.day), ["2024-01-02"]);
    assert.deepEqual([...((one?.payload as Uint8Array[])[0] as Uint8Array)], [0, 255], "BYTES arrive base64-decoded");
    assert.deepEqual(JSON.parse(text(one?.address)[0] as string), { city: "Oslo", zip: "0150" }, "RECORD is JSON");
    assert.deepEqual(text(byId.get(3n)?.customer), ["cécile"]);
    assert.deepEqual(byId.get(4n)?.amount, [1e10]);
    assert.equal(ds.manifest.source?.kind, "bigquery");
    assert.equal(ds.manifest.source?.query, QUERY);
  } finally {
    await cleanup();
  }
});

test("the checksum query versions the source: same result is a cache hit, a changed result a new version", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    server?.use(v1);
    const p = load(params({ checksumQuery: CHECKSUM }));
    const first = await koan.run(p);
    assert.equal((await datasetOf(koan, first, "bigquery_source")).rowCount("all"), 5);
    assert.equal((await koan.run(p)).steps[0]?.cacheHit, true);
    server?.use(v2);
    const second = await koan.run(p);
    assert.equal(second.steps[0]?.cacheHit, false);
    assert.equal((await datasetOf(koan, second, "bigquery_source")).rowCount("all"), 6);
    assert.notEqual(second.outputs.bigquery_source?.dataset?.contentHash, first.outputs.bigquery_source?.dataset?.contentHash);
  } finally {
    await cleanup();
  }
});

test("an API error, an empty result and an unreachable endpoint fail clearly and commit nothing", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    server?.use(v1);
    const bad = await koan.run(load(params({ query: "SELECT nope FROM `koan-test.shop.orders`", version: "1" })));
    assert.equal(bad.status, "failed");
    assert.match(bad.error?.message ?? "", /the query failed on BigQuery http:\/\/127\.0\.0\.1:\d+ \(project koan-test\) \(HTTP 400 invalidQuery\): Unrecognized name: nope at \[1:8\]/);
    assert.equal(bad.outputs.bigquery_source, undefined);
    const empty = await koan.run(load(params({ query: "SELECT * FROM `koan-test.shop.orders` WHERE FALSE", version: "1" })));
    assert.match(empty.error?.message ?? "", /the query returned no rows/);
    const port = await freePort();
    const down = await koan.run(load(params({ apiEndpoint: `http://127.0.0.1:${port}`, version: "1" })));
    assert.equal(down.status, "failed");
    assert.match(down.error?.message ?? "", new RegExp(`cannot reach BigQuery http://127\\.0\\.0\\.1:${port} \\(project koan-test\\)`));
  } finally {
    await cleanup();
  }
});
