/**
 * The `postgres` metadata store flavor: a `pg` connection pool under Kysely's PostgresDialect, sharing
 * `SqlMetadataStore` and the numbered migrations with SQLite (migrations take an advisory lock). Loaded lazily:
 * importing Koan never loads `pg`.
 * @module
 */
import pg from "pg";
import { Kysely, PostgresDialect } from "kysely";
import { KoanError } from "../../../core/errors.js";
import { migrate } from "../migrations/index.js";
import { SqlMetadataStore } from "../sql/store.js";
import type { Database as Schema } from "../sql/schema.js";
import { postgresTarget, type PostgresConfig, type PostgresTarget } from "./config.js";

/** A driver or network error as a KoanError naming the store (never its password). */
export function postgresError(e: unknown, target: PostgresTarget, doing: string): KoanError {
  if (e instanceof KoanError) return e;
  const err = e as { code?: string; message?: string };
  const where = `the PostgreSQL metadata store ${target.uri}`;
  const code = err.code ?? "";
  const byCode: Record<string, [string, string]> = {
    ECONNREFUSED: ["connection refused", "is the server running, and listening on that host and port?"],
    ENOTFOUND: ["host not found", "check the host name in the URL"],
    EAI_AGAIN: ["host name lookup failed", "check the host name and your network"],
    ETIMEDOUT: ["connection timed out", "is the host reachable from here (firewall, VPN)?"],
    "28P01": [`password authentication failed for user "${target.user}"`, "check the password secret (koan secret set NAME) or passwordEnv"],
    "28000": [`the server refused user "${target.user}"`, "check pg_hba.conf and the user name"],
    "3D000": [`database "${target.database}" does not exist`, `create it: createdb ${target.database}`],
    "42501": ["permission denied", `grant user "${target.user}" the right to create tables in that database or schema`],
  };
  const known = byCode[code];
  const timeout = /timeout/i.test(err.message ?? "");
  const reason = known?.[0] ?? (timeout ? "connection timed out" : (err.message ?? String(e)));
  return new KoanError("STORE_UNAVAILABLE", `cannot ${doing} ${where}: ${reason}`, {
    cause: e,
    hint: known?.[1] ?? (timeout ? "is the host reachable from here, and the server accepting connections?" : "check the URL, the server and the credentials"),
    details: { store: target.uri, ...(code ? { driverCode: code } : {}) },
  });
}

/** Open (migrating as needed) a PostgreSQL metadata store. */
export async function openPostgresStore(config: PostgresConfig): Promise<SqlMetadataStore> {
  const target = postgresTarget(config);
  const pool = new pg.Pool(target.pool);
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (config.schema) {
        // CREATE SCHEMA IF NOT EXISTS is not safe against itself: serialise concurrent openers.
        await client.query("begin");
        try {
          await client.query("select pg_advisory_xact_lock(7365121)");
          await client.query(`create schema if not exists "${config.schema.replace(/"/g, '""')}"`);
          await client.query("commit");
        } catch (e) {
          await client.query("rollback").catch(() => undefined);
          throw e;
        }
      }
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw postgresError(e, target, "connect to");
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db as unknown as Kysely<unknown>, "postgres", target.uri);
  } catch (e) {
    await db.destroy().catch(() => undefined);
    if (e instanceof KoanError) throw e;
    throw postgresError(e, target, "migrate");
  }
  return new SqlMetadataStore("postgres", db, target.uri);
}
