/** Migration 1: the initial schema. @module */
import type { Kysely } from "kysely";
import type { Migration } from "./migration.js";

export const initial: Migration = {
  version: 1,
  name: "initial schema",
  async up(db: Kysely<unknown>, dialect) {
    const id = dialect === "postgres" ? "bigserial" : "integer";
    await db.schema
      .createTable("runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("pipeline", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("pipeline_file", "text")
      .addColumn("source_hash", "text", (c) => c.notNull())
      .addColumn("config", "text", (c) => c.notNull())
      .addColumn("environment", "text", (c) => c.notNull())
      .addColumn("stack", "text", (c) => c.notNull())
      .addColumn("spec", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("pid", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("runs_pipeline_started").on("runs").columns(["pipeline", "started_at"]).execute();
    await db.schema.createIndex("runs_started").on("runs").column("started_at").execute();
    await db.schema.createIndex("runs_status").on("runs").column("status").execute();

    await db.schema
      .createTable("step_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
      .addColumn("step", "text", (c) => c.notNull())
      .addColumn("step_type", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("cache_key", "text")
      .addColumn("cache_hit", "integer", (c) => c.notNull())
      .addColumn("cached_from", "text")
      .addColumn("code_hash", "text", (c) => c.notNull())
      .addColumn("params", "text", (c) => c.notNull())
      .addColumn("started_at", "text")
      .addColumn("ended_at", "text")
      .addColumn("duration_ms", "double precision")
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("log_blob", "text")
      .addColumn("meta", "text", (c) => c.notNull())
      .addUniqueConstraint("step_runs_run_step", ["run_id", "step"])
      .execute();
    await db.schema.createIndex("step_runs_cache").on("step_runs").columns(["cache_key", "status"]).execute();

    await db.schema
      .createTable("artifacts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("materializer", "text", (c) => c.notNull())
      .addColumn("materializer_version", "integer", (c) => c.notNull())
      .addColumn("content_hash", "text", (c) => c.notNull())
      .addColumn("uri", "text", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("producer_step_run", "text", (c) => c.notNull())
      .addColumn("output_name", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("meta", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("artifacts_content").on("artifacts").column("content_hash").execute();
    await db.schema.createIndex("artifacts_created").on("artifacts").column("created_at").execute();

    await db.schema
      .createTable("artifact_blobs")
      .addColumn("artifact_id", "text", (c) => c.notNull().references("artifacts.id"))
      .addColumn("blob", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("artifact_blobs_pk", ["artifact_id", "blob"])
      .execute();
    await db.schema.createIndex("artifact_blobs_blob").on("artifact_blobs").column("blob").execute();

    await db.schema
      .createTable("events")
      .addColumn("step_run_id", "text", (c) => c.notNull().references("step_runs.id"))
      .addColumn("artifact_id", "text", (c) => c.notNull().references("artifacts.id"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("port", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("events_pk", ["step_run_id", "kind", "port"])
      .execute();
    await db.schema.createIndex("events_artifact").on("events").column("artifact_id").execute();

    await db.schema
      .createTable("metrics")
      .addColumn("id", id as "integer", (c) => c.primaryKey() /* autoincrement on sqlite via rowid alias */)
      .addColumn("step_run_id", "text", (c) => c.notNull().references("step_runs.id"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("step", "integer")
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("metrics_step_run").on("metrics").column("step_run_id").execute();
  },
};
