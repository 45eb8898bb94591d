/**
 * Runs the metadata store conformance suite for every flavor selected by KOAN_FLAVORS: SQLite (a temp file per
 * case) and PostgreSQL (one real server per file, started here, with a fresh schema per case), plus
 * flavor specifics.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openSqliteStore } from "../../src/stores/metadata/sqlite/open.js";
import { openPostgresStore } from "../../src/stores/metadata/postgres/open.js";
import { LATEST_SCHEMA_VERSION } from "../../src/stores/metadata/migrations/index.js";
import { isKoanError } from "../../src/core/errors.js";
import { tempDir } from "../helpers.js";
import { metadataStoreConformance } from "./metadata-store.cases.js";
import { selected } from "./select.js";
import { writeFile } from "node:fs/promises";
import { freePort, postgresSkipReason, startPostgres, type PostgresServer } from "../stacks/postgres-server.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function setVersion(path: string, v: number): void {
  const db = new Database(path);
  db.prepare("update koan_meta set value = ? where key = 'schema_version'").run(String(v));
  db.close();
}

if (selected("sqlite")) {
  metadataStoreConformance({
    flavor: "sqlite",
    async open() {
      const { dir, cleanup } = await tempDir();
      cleanups.push(cleanup);
      const path = join(dir, "metadata.db");
      return { store: await openSqliteStore({ path }), reopen: () => openSqliteStore({ path }), setSchemaVersion: async (v) => setVersion(path, v) };
    },
    gaps: {
      "concurrent run and step writes on two connections lose no updates":
        "better-sqlite3 is synchronous: two connections in one process block each other's transactions; concurrent writers in separate processes are covered by test/stacks/concurrent-runs.test.ts",
    },
  });

  test("[metadata-store:sqlite] an empty database file is migrated from version 0", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "old.db");
    new Database(path).close();
    const s = await openSqliteStore({ path });
    assert.equal(await s.schemaVersion(), LATEST_SCHEMA_VERSION);
    await s.close();
  });

  test("[metadata-store:sqlite] a file that is not a database is a clear error", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "junk.db");
    await writeFile(path, "this is not sqlite at all, just text that is long enough to have a header ".repeat(10));
    await assert.rejects(openSqliteStore({ path }), (e) => isKoanError(e) && e.message.includes(path));
  });
}

if (selected("postgres")) {
  const skip = postgresSkipReason();
  let server: PostgresServer | undefined;
  let schemas = 0;
  before(async () => {
    if (skip) return;
    server = await startPostgres();
    cleanups.push(() => server?.stop() ?? Promise.resolve());
  });

  const query = async (schema: string, text: string, values: unknown[] = []): Promise<void> => {
    const c = new pg.Client({ connectionString: server?.url, options: `-c search_path=${schema}` });
    await c.connect();
    try {
      await c.query(text, values);
    } finally {
      await c.end();
    }
  };

  if (skip) {
    test("[metadata-store:postgres] conformance", { skip }, () => undefined);
  } else {
    metadataStoreConformance({
      flavor: "postgres",
      async open() {
        const schema = `conf_${++schemas}`;
        const config = { url: server?.url as string, schema, poolSize: 4 };
        return {
          store: await openPostgresStore(config),
          reopen: () => openPostgresStore(config),
          setSchemaVersion: (v) => query(schema, "update koan_meta set value = $1 where key = 'schema_version'", [String(v)]),
        };
      },
    });

    test("[metadata-store:postgres] several processes opening one new store at once migrate it once", async () => {
      const config = { url: server?.url as string, schema: "racing", poolSize: 2 };
      const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore(config)));
      for (const s of stores) assert.equal(await s.schemaVersion(), LATEST_SCHEMA_VERSION);
      await Promise.all(stores.map((s) => s.close()));
    });

    test("[metadata-store:postgres] wrong password, missing database and refused connection are clear errors without the password", async () => {
      const s = server as PostgresServer;
      const badPw = "wrong-pw-CANARY-8731";
      await assert.rejects(openPostgresStore({ url: s.urlFor({ password: badPw, database: "postgres" }) }), (e) => {
        assert.ok(isKoanError(e, "STORE_UNAVAILABLE"));
        assert.match(e.message, /password authentication failed/);
        assert.ok(!JSON.stringify({ m: e.message, h: e.hint, d: e.details, st: e.stack }).includes(badPw));
        return true;
      });
      await assert.rejects(openPostgresStore({ url: s.urlFor({ database: "no_such_db" }) }), (e) => isKoanError(e, "STORE_UNAVAILABLE") && /no_such_db.*does not exist/.test(e.message));
      const port = await freePort();
      await assert.rejects(openPostgresStore({ url: `postgres://koan:${badPw}@127.0.0.1:${port}/koan`, connectTimeoutMs: 2000 }), (e) => {
        assert.ok(isKoanError(e, "STORE_UNAVAILABLE"));
        assert.match(e.message, /connection refused/);
        assert.ok(!e.message.includes(badPw) && !(e.hint ?? "").includes(badPw));
        assert.match(e.message, /postgres:\/\/koan:\*\*\*@127\.0\.0\.1/);
        return true;
      });
    });
  }
}
