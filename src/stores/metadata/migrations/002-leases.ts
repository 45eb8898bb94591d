/**
 * Migration 2: cache leases (one row per cache key being computed, with an expiry on the store's clock), and on
 * PostgreSQL byte-order collation (`"C"`) for ids, times and names, so ordering and id-prefix lookups match
 * SQLite's and can use the indexes whatever the database's default locale.
 * @module
 */
import { sql, type Kysely } from "kysely";
import type { Migration } from "./migration.js";

/** Text columns whose order or prefix matters, per table. */
const ORDERED: Record<string, string[]> = {
  runs: ["id", "pipeline", "status", "started_at", "ended_at"],
  step_runs: ["id", "run_id", "step", "cache_key", "cached_from", "started_at", "ended_at", "log_blob"],
  artifacts: ["id", "producer_step_run", "content_hash", "created_at"],
  artifact_blobs: ["artifact_id", "blob"],
  events: ["step_run_id", "artifact_id", "kind", "port"],
  metrics: ["step_run_id", "name"],
};

export const leases: Migration = {
  version: 2,
  name: "cache leases; byte-order text on PostgreSQL",
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable("leases")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("acquired_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .execute();
    if (dialect === "postgres") {
      for (const [table, columns] of Object.entries(ORDERED)) {
        const clauses = columns.map((c) => sql`alter column ${sql.ref(c)} type text collate "C"`);
        await sql`alter table ${sql.table(table)} ${sql.join(clauses)}`.execute(db);
      }
      await sql`alter table leases alter column key type text collate "C"`.execute(db);
    }
  },
};
