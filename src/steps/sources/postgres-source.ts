/**
 * `postgresSource`: the result of a SQL query against PostgreSQL as a dataset, streamed through a server-side
 * cursor (bounded memory) inside one read-only, repeatable-read transaction (a consistent snapshot). The `pg`
 * driver is imported only when the step runs.
 *
 * Versioning: a database has no content hash, so the fingerprint is the query plus `version` (a string you bump
 * when the data changes) and/or the result of `checksumQuery` (e.g. `SELECT max(updated_at), count(*) FROM t`),
 * run before the step: an unchanged result is a cache hit, a changed one a new dataset version. With neither, the
 * step re-reads the database on every run.
 *
 * Connection: `url` (without a password) or `host`/`port`/`database`/`user`; the password comes from the
 * environment variable named by `passwordEnv` (default `PGPASSWORD`), or `~/.pgpass`, and is never stored in
 * parameters, metadata or logs. An unreachable database fails the step naming host and port.
 *
 * @example
 * ```ts
 * const { dataset } = postgresSource(undefined, {
 *   params: { url: "postgresql://koan@db:5432/shop", query: "SELECT * FROM orders", checksumQuery: "SELECT count(*), max(id) FROM orders" },
 * });
 * ```
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { hashJson, type JsonValue } from "../../core/hash.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/type.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import type { Row, RowValue } from "../../data/example/rows.js";
import { connectPostgres, pgQueryError, type PgConnectionParams, type PgSession } from "./postgres-connection.js";
import { pgColumn, type PgColumn } from "./postgres-values.js";

export const postgresSourceParams = z
  .object({
    query: z.string().min(1),
    /** Your version of the data: bump it when the data changes. */
    version: z.string().min(1).optional(),
    /** A query whose result changes when the data does (its result is the fingerprint). */
    checksumQuery: z.string().min(1).optional(),
    /** `postgresql://user@host:port/database` — no password (refused before anything is recorded). */
    url: z
      .string()
      .min(1)
      .refine((u) => !URL.canParse(u) || new URL(u).password === "", { message: "the url must not hold a password: put it in the environment variable named by passwordEnv" })
      .optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    /** Name of the environment variable holding the password. */
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("PGPASSWORD"),
    connectTimeoutMs: z.number().int().min(1).default(10_000),
    /** Rows fetched per round trip. */
    fetchRows: z.number().int().min(1).default(10_000),
    split: z.string().regex(/^[A-Za-z0-9_-]+$/).default("all"),
    shards: z.number().int().min(1).max(4096).default(1),
  })
  .strict();

export type PostgresSourceParams = z.input<typeof postgresSourceParams>;

/** Strip trailing semicolons and whitespace (a cursor is declared over the query). */
function cursorQuery(query: string): string {
  return query.trim().replace(/;+\s*$/, "");
}

/** Run the checksum query: the hash of its rows (as PostgreSQL's text). */
async function checksumOf(session: PgSession, query: string): Promise<string> {
  const rows = await session.rawRows(query);
  return `sha256:${hashJson(rows)}`;
}

/** The built-in PostgreSQL source step. */
export const postgresSource = step({
  name: "postgres_source",
  description: "read the result of a SQL query against PostgreSQL into a dataset",
  params: postgresSourceParams,
  outputs: { dataset: dataset() },
  fingerprint: async (p): Promise<JsonValue> => {
    if (!p.version && !p.checksumQuery) return { query: p.query, unversioned: `${Date.now()}-${process.hrtime.bigint()}` };
    let checksum: string | null = null;
    if (p.checksumQuery) {
      const session = await connectPostgres(p as PgConnectionParams);
      try {
        checksum = await checksumOf(session, p.checksumQuery);
      } finally {
        await session.close();
      }
    }
    return { query: p.query, version: p.version ?? null, checksum };
  },
  run: async (ctx, _inputs, p) => {
    if (!p.version && !p.checksumQuery) ctx.log.warn("no version or checksumQuery given: the database is read on every run");
    const session = await connectPostgres(p as PgConnectionParams);
    const target = session.target;
    let writer: DatasetWriter | undefined;
    try {
      await session.raw("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const declare = "DECLARE koan_source NO SCROLL CURSOR FOR ";
      try {
        await session.raw(`${declare}${cursorQuery(p.query)}`);
      } catch (e) {
        throw pgQueryError(e, "the query", target, declare.length);
      }
      let columns: PgColumn[] | undefined;
      for (;;) {
        const batch = await session.fetch(`FETCH FORWARD ${p.fetchRows} FROM koan_source`).catch((e: unknown) => {
          throw pgQueryError(e, "the query", target);
        });
        if (!columns) {
          columns = batch.fields.map((f) => pgColumn(f.name, f.dataTypeID, session.parseArray));
          const names = new Set<string>();
          for (const c of columns) {
            if (names.has(c.name)) throw new KoanError("DATA_INVALID", `the query returns two columns named "${c.name}"`, { hint: "give each column a distinct name with AS" });
            names.add(c.name);
          }
          if (!columns.length) throw new KoanError("DATA_INVALID", "the query returns no columns");
          writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), {
            splits: [p.split],
            shards: p.shards,
            kinds: Object.fromEntries(columns.map((c) => [c.name, c.kind])),
            source: { kind: "postgres", uri: target, query: p.query, ...(p.version ? { version: p.version } : {}) },
          });
        }
        for (const values of batch.rows) {
          const row: Record<string, RowValue> = {};
          for (let i = 0; i < columns.length; i++) {
            const c = columns[i] as PgColumn;
            const v = values[i];
            row[c.name] = v === null || v === undefined ? null : c.convert(v);
          }
          await writer?.write(p.split, row as Row);
        }
        if (batch.rows.length < p.fetchRows) break;
      }
      await session.raw("CLOSE koan_source");
      await session.raw("COMMIT");
    } catch (e) {
      await writer?.abort();
      throw e;
    } finally {
      await session.close();
    }
    if (!writer) throw new KoanError("INTERNAL", `no result was read from ${target}`);
    const rows = writer.count(p.split);
    if (rows === 0) {
      await writer.abort();
      throw new KoanError("DATA_INVALID", `the query returned no rows (${target})`);
    }
    ctx.log.info(`read ${rows} rows from ${target}`);
    ctx.log.metric("rows", rows);
    return { dataset: await writer.close() };
  },
});
