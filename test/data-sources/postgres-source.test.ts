import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { pipeline, postgresSource, type PostgresSourceParams } from "../../src/index.js";
import { freePort, postgresSkipReason, startPostgres, type PostgresServer } from "../stacks/postgres-server.js";
import { datasetOf, project, rowsOf } from "./helpers.js";

const skip = postgresSkipReason() ?? false;
const PASSWORD = "s3cret-Pa55word-for-koan";
let server: PostgresServer | undefined;

before(async () => {
  if (skip) return;
  server = await startPostgres({ password: PASSWORD });
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`CREATE TABLE orders (
    id bigint PRIMARY KEY, amount double precision, qty integer, price numeric(10,2), paid boolean,
    note text, tags text[], scores real[], raw bytea, created timestamptz, big bigint)`);
  await c.query(`INSERT INTO orders VALUES
    (1, 9.5, 2, 19.99, true, 'first', '{a,b}', '{0.5,1.5}', '\\x00ff', '2024-01-02T03:04:05Z', 9007199254740993),
    (2, NULL, 1, 5.00, false, NULL, '{}', NULL, NULL, NULL, -9223372036854775808),
    (3, 0.25, NULL, NULL, NULL, 'ünïcode', '{c}', '{2}', '\\x', '2024-06-30T00:00:00Z', 3)`);
  await c.end();
  process.env.KOAN_TEST_PG_PASSWORD = PASSWORD;
});

after(async () => {
  await server?.stop();
});

const params = (extra: Partial<PostgresSourceParams>): PostgresSourceParams => ({
  host: server?.host ?? "127.0.0.1",
  port: server?.port ?? 5432,
  user: server?.user ?? "koan",
  database: "postgres",
  passwordEnv: "KOAN_TEST_PG_PASSWORD",
  query: "SELECT * FROM orders ORDER BY id",
  ...extra,
});
const load = (p: PostgresSourceParams) => pipeline({ name: "pg", build: () => { postgresSource(undefined, { params: p }); } });

test("a query's result becomes a dataset: types map to kinds, NULL to empty values, arrays to lists, int8 keeps 64 bits", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    const ds = await datasetOf(koan, await koan.run(load(params({ version: "v1", fetchRows: 2, shards: 2 }))), "postgres_source");
    assert.deepEqual(ds.features, { amount: "float", big: "int64", created: "bytes", id: "int64", note: "bytes", paid: "int64", price: "float", qty: "int64", raw: "bytes", scores: "float", tags: "bytes" });
    assert.equal(ds.rowCount("all"), 3);
    const rows: Record<string, unknown>[] = [];
    const text = (v: unknown) => (v as Uint8Array[]).map((b) => new TextDecoder().decode(b));
    for await (const r of ds.rows("all", { lists: "always", bytes: "bytes" })) rows.push({ ...r, tags: text(r.tags), note: text(r.note), created: text(r.created) });
    rows.sort((a, b) => Number((a.id as bigint[])[0]) - Number((b.id as bigint[])[0]));
    const [one, two, three] = rows;
    assert.deepEqual(one?.big, [9007199254740993n]);
    assert.deepEqual(two?.big, [-9223372036854775808n]);
    assert.deepEqual(one?.tags, ["a", "b"]);
    assert.deepEqual(one?.scores, [0.5, 1.5]);
    assert.deepEqual(one?.paid, [1n]);
    assert.deepEqual(two?.paid, [0n]);
    assert.deepEqual(three?.paid, [], "NULL is a present, empty feature");
    assert.deepEqual(one?.price, [Math.fround(19.99)]);
    assert.deepEqual(two?.amount, []);
    assert.deepEqual(three?.note, ["ünïcode"]);
    assert.deepEqual(one?.created, ["2024-01-02 03:04:05+00"]);
    assert.deepEqual([...((one?.raw as Uint8Array[])[0] as Uint8Array)], [0, 255]);
    assert.deepEqual((three?.raw as Uint8Array[]).map((b) => b.length), [0], "an empty bytea is one empty value");
    assert.equal(ds.manifest.source?.kind, "postgres");
    assert.equal(ds.manifest.source?.uri, `postgresql://koan@127.0.0.1:${server?.port}/postgres`);
    assert.ok(!JSON.stringify(ds.manifest).includes(PASSWORD));
  } finally {
    await cleanup();
  }
});

test("the fingerprint is the query plus a version or a checksum query: unchanged is a cache hit, changed a new version", { skip }, async () => {
  const { koan, cleanup } = await project();
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: server?.url });
  await c.connect();
  try {
    await c.query("CREATE TABLE events (id serial PRIMARY KEY, kind text)");
    await c.query("INSERT INTO events (kind) VALUES ('a'), ('b')");
    const p = load(params({ query: "SELECT * FROM events ORDER BY id;", checksumQuery: "SELECT count(*), max(id) FROM events" }));
    const first = await koan.run(p);
    assert.equal((await datasetOf(koan, first, "postgres_source")).rowCount("all"), 2);
    assert.equal((await koan.run(p)).steps[0]?.cacheHit, true);
    await c.query("INSERT INTO events (kind) VALUES ('c')");
    const second = await koan.run(p);
    assert.equal(second.steps[0]?.cacheHit, false);
    assert.equal((await datasetOf(koan, second, "postgres_source")).rowCount("all"), 3);

    const versioned = (version: string) => load(params({ query: "SELECT * FROM events", version }));
    assert.equal((await koan.run(versioned("2024-01"))).steps[0]?.cacheHit, false);
    assert.equal((await koan.run(versioned("2024-01"))).steps[0]?.cacheHit, true);
    assert.equal((await koan.run(versioned("2024-02"))).steps[0]?.cacheHit, false);
    const unversioned = load(params({ query: "SELECT 1 AS one" }));
    await koan.run(unversioned);
    assert.equal((await koan.run(unversioned)).steps[0]?.cacheHit, false, "with neither, the database is read every run");
  } finally {
    await c.end();
    await cleanup();
  }
});

test("an unreachable database, a bad password and a bad query fail clearly, never showing the password, and commit nothing", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    const good = await koan.run(load(params({ version: "1" })));
    const port = await freePort();
    const down = await koan.run(load(params({ port, version: "1" })));
    assert.equal(down.status, "failed");
    assert.match(down.error?.message ?? "", new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}`));
    assert.equal(down.outputs.postgres_source, undefined);

    process.env.KOAN_TEST_PG_WRONG = "wrong-password-value";
    const denied = await koan.run(load(params({ passwordEnv: "KOAN_TEST_PG_WRONG", version: "1" })));
    assert.match(denied.error?.message ?? "", /refused the connection .*password authentication failed/);
    assert.ok(!(denied.error?.message ?? "").includes("wrong-password-value"));

    const bad = await koan.run(load(params({ query: "SELECT nope FROM orders", version: "1" })));
    assert.match(bad.error?.message ?? "", /the query failed on postgresql:\/\/koan@127\.0\.0\.1:\d+\/postgres at character 8: column "nope" does not exist \(SQLSTATE 42703\)/);
    const empty = await koan.run(load(params({ query: "SELECT * FROM orders WHERE id < 0", version: "1" })));
    assert.match(empty.error?.message ?? "", /the query returned no rows/);

    const before = (await koan.runs()).length;
    await assert.rejects(koan.run(load({ url: `postgresql://koan:${PASSWORD}@127.0.0.1:${server?.port}/postgres`, query: "SELECT 1", version: "1" })), (e: Error) => {
      assert.match(e.message, /must not hold a password/);
      assert.ok(!e.message.includes(PASSWORD));
      return true;
    });
    assert.equal((await koan.runs()).length, before, "a url with a password is refused before anything is recorded");

    for (const r of [down, denied, bad, empty]) {
      const details = await koan.runDetails(r.runId);
      const text = JSON.stringify(details) + (await Promise.all(details.steps.map((s) => koan.stepLog(s)))).join("");
      assert.ok(!text.includes(PASSWORD) && !text.includes("wrong-password-value"), "no password in the run's records or logs");
    }
    assert.equal(((await koan.load(good.outputs.postgres_source?.dataset as never)) as { rowCount(): number }).rowCount(), 3, "the previous version is intact");
  } finally {
    await cleanup();
  }
});

test("rows are streamed in pages: many rows with a small fetch size", { skip }, async () => {
  const { koan, cleanup } = await project();
  try {
    const ds = await datasetOf(koan, await koan.run(load(params({ query: "SELECT g AS n, g::float8 / 7 AS x FROM generate_series(1, 25000) g", version: "1", fetchRows: 1000 }))), "postgres_source");
    assert.equal(ds.rowCount("all"), 25000);
    const rows = await rowsOf(ds, "all");
    assert.equal(rows[24999]?.n, 25000);
    assert.equal(rows[6]?.x, Math.fround(1));
  } finally {
    await cleanup();
  }
});
