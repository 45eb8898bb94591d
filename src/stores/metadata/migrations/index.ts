/**
 * Numbered migrations, applied in order when a store is opened. Opening an older store upgrades it; opening a
 * store written by a newer Koan refuses with `STORE_TOO_NEW` and changes nothing.
 * @module
 */
import { sql, type Kysely } from "kysely";
import { KoanError } from "../../../core/errors.js";
import type { Migration, SqlDialectName } from "./migration.js";
import { initial } from "./001-initial.js";
import { leases } from "./002-leases.js";
import { runValues } from "./003-run-values.js";

/** All migrations, in order. */
export const migrations: readonly Migration[] = [initial, leases, runValues];

/** The schema version this Koan writes. */
export const LATEST_SCHEMA_VERSION = migrations.length;

/** Read the store's schema version (0 for an empty store). */
export async function readSchemaVersion(db: Kysely<unknown>): Promise<number> {
  await sql`create table if not exists koan_meta (key text primary key, value text not null)`.execute(db);
  const row = await sql<{ value: string }>`select value from koan_meta where key = 'schema_version'`.execute(db);
  return row.rows[0] ? Number(row.rows[0].value) : 0;
}

/**
 * Bring a store to the latest schema inside one transaction. Returns the versions applied. Concurrent openers
 * are serialised: PostgreSQL takes a transaction-scoped advisory lock, SQLite a write lock (`begin immediate`)
 * before reading the version, so two processes never both apply a migration.
 */
export async function migrate(db: Kysely<unknown>, dialect: SqlDialectName, where: string): Promise<number[]> {
  if (dialect === "sqlite") {
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const applied = await migrateIn(conn, dialect, where);
        await sql`commit`.execute(conn);
        return applied;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(7365120)`.execute(trx);
    return migrateIn(trx, dialect, where);
  });
}

async function migrateIn(trx: Kysely<unknown>, dialect: SqlDialectName, where: string): Promise<number[]> {
  const current = await readSchemaVersion(trx);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new KoanError("STORE_TOO_NEW", `the metadata store at ${where} has schema version ${current}, but this Koan knows only up to ${LATEST_SCHEMA_VERSION}`, {
      hint: "upgrade Koan (npm install koan@latest); the store was written by a newer version and was not changed",
      details: { storeVersion: current, supported: LATEST_SCHEMA_VERSION },
    });
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    await m.up(trx, dialect);
    applied.push(m.version);
  }
  if (applied.length) {
    const v = String(LATEST_SCHEMA_VERSION);
    await sql`delete from koan_meta where key = 'schema_version'`.execute(trx);
    await sql`insert into koan_meta (key, value) values ('schema_version', ${v})`.execute(trx);
  }
  return applied;
}
