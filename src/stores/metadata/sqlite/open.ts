/**
 * The `sqlite` metadata store flavor: one file, WAL journal, migrated on open. Loaded lazily (it pulls in the
 * native `better-sqlite3` driver).
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { KoanError } from "../../../core/errors.js";
import { migrate } from "../migrations/index.js";
import { SqlMetadataStore } from "../sql/store.js";
import type { Database as Schema } from "../sql/schema.js";

/** Config of the sqlite flavor. */
export interface SqliteConfig {
  /** Absolute path of the database file. */
  path: string;
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, so keep the most recent ones.
 * Kysely runs `all()`/`run()` on them (and `iterate()` only for streams, which it does not use here).
 */
function withStatementCache(database: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== "prepare") {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = prepare(sql);
          if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/** Open (creating and migrating as needed) a SQLite metadata store. */
export async function openSqliteStore(config: SqliteConfig): Promise<SqlMetadataStore> {
  mkdirSync(dirname(config.path), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(config.path, { timeout: 15_000 });
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (e) {
    throw new KoanError("STORE_UNAVAILABLE", `cannot open the SQLite metadata store ${config.path}: ${(e as Error).message}`, { cause: e });
  }
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  try {
    await migrate(db as unknown as Kysely<unknown>, "sqlite", config.path);
  } catch (e) {
    await db.destroy();
    if (e instanceof KoanError) throw e;
    throw new KoanError("STORE_INVALID", `cannot read the metadata store ${config.path}: ${(e as Error).message}`, { cause: e, hint: "is this file a Koan metadata store?" });
  }
  return new SqlMetadataStore("sqlite", db, `sqlite://${config.path.startsWith("/") ? "" : "/"}${config.path}`);
}
