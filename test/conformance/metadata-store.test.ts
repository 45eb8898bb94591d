/** Runs the metadata store conformance suite for every flavor selected by KOAN_FLAVORS, plus SQLite specifics. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/stores/metadata/sqlite/open.js";
import { LATEST_SCHEMA_VERSION } from "../../src/stores/metadata/migrations/index.js";
import { isKoanError } from "../../src/core/errors.js";
import { tempDir } from "../helpers.js";
import { metadataStoreConformance } from "./metadata-store.cases.js";
import { selected } from "./select.js";
import { writeFile } from "node:fs/promises";

const cleanups: (() => Promise<void>)[] = [];
after(async () => Promise.all(cleanups.map((c) => c())));

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
