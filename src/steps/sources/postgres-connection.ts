/**
 * A PostgreSQL connection for the source step, through `pg` (imported lazily). The password is read from the
 * environment variable the parameters name and kept out of every message; connection failures become
 * `STORE_UNAVAILABLE` errors naming host and port, query failures `DATA_INVALID` errors with PostgreSQL's
 * message and the position in the query.
 * @module
 */
import { KoanError, messageOf } from "../../core/errors.js";

/** Connection parameters of the source step (no password: it comes from `passwordEnv`). */
export interface PgConnectionParams {
  url?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  passwordEnv: string;
  connectTimeoutMs: number;
}

/** A result read with every value as PostgreSQL's text (null for NULL). */
export interface PgTextResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
}

/** An open connection. */
export interface PgSession {
  /** `postgresql://user@host:port/database` (never a password). */
  readonly target: string;
  /** Run a statement, ignoring its result. */
  raw(sql: string): Promise<void>;
  /** Run a query and return its rows as text. */
  rawRows(sql: string): Promise<(string | null)[][]>;
  /** Run a query (a FETCH) and return its fields and rows as text. */
  fetch(sql: string): Promise<PgTextResult>;
  /** Split a one-dimensional array literal into element texts (null for NULL). */
  readonly parseArray: (text: string) => unknown;
  close(): Promise<void>;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("***") : text;
}

/** The `postgresql://user@host:port/database` of a config (as pg resolves it, environment defaults included). */
function targetOf(c: { host?: string; port?: number; user?: string; database?: string }): string {
  const host = c.host?.includes(":") ? `[${c.host}]` : c.host;
  return `postgresql://${c.user ? `${encodeURIComponent(c.user)}@` : ""}${host ?? "localhost"}:${c.port ?? 5432}/${c.database ?? ""}`;
}

/** Open a connection. */
export async function connectPostgres(p: PgConnectionParams): Promise<PgSession> {
  if (p.url) {
    let url: URL;
    try {
      url = new URL(p.url);
    } catch {
      throw new KoanError("USAGE", "the PostgreSQL url is not a valid URL", { hint: "postgresql://user@host:5432/database" });
    }
    if (url.password) {
      throw new KoanError("USAGE", "the PostgreSQL url holds a password; parameters are recorded with every run", {
        hint: `remove it from the url and put it in the environment variable ${p.passwordEnv}`,
      });
    }
    if (p.host || p.port || p.database || p.user) throw new KoanError("USAGE", "give either url or host/port/database/user, not both");
  }
  const { default: pg } = await import("pg");
  const password = process.env[p.passwordEnv] || undefined;
  const client = new pg.Client({
    ...(p.url ? { connectionString: p.url } : {}),
    ...(p.host ? { host: p.host } : {}),
    ...(p.port ? { port: p.port } : {}),
    ...(p.database ? { database: p.database } : {}),
    ...(p.user ? { user: p.user } : {}),
    ...(password ? { password } : {}),
    connectionTimeoutMillis: p.connectTimeoutMs,
    application_name: "koan",
  });
  const c = client as unknown as { host: string; port: number; user: string; database: string };
  const target = targetOf(c);
  const where = `${c.host}:${c.port}`;
  client.on("error", () => undefined); // a dropped connection surfaces through the running query
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code ?? "";
    const raw = scrub(messageOf(e), password);
    if (UNREACHABLE.has(code) || /timeout|terminated/i.test(raw)) {
      throw new KoanError("STORE_UNAVAILABLE", `cannot reach PostgreSQL at ${where} (${target}): ${raw || code}`, {
        hint: `check that the server runs and accepts TCP connections on ${where}`,
        details: { host: c.host, port: c.port },
      });
    }
    throw new KoanError("STORE_UNAVAILABLE", `PostgreSQL at ${where} refused the connection (${target}): ${raw}`, {
      hint: /password|authentication/i.test(raw) ? `set the password in the environment variable ${p.passwordEnv}` : undefined,
      details: { host: c.host, port: c.port, ...(code ? { sqlState: code } : {}) },
    });
  }
  const text = { getTypeParser: () => (v: string) => v };
  const arrayParser = (pg.types.getTypeParser as (oid: number, format: string) => unknown)(1009, "text") as (text: string) => unknown;
  const query = async (sql: string): Promise<PgTextResult> => {
    try {
      const r = await client.query({ text: sql, rowMode: "array", types: text as never });
      return { fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), rows: r.rows as (string | null)[][] };
    } catch (e) {
      if (e instanceof Error) e.message = scrub(e.message, password);
      throw e;
    }
  };
  return {
    target,
    raw: async (sql) => void (await query(sql)),
    rawRows: async (sql) => (await query(sql)).rows,
    fetch: query,
    parseArray: arrayParser,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * A query failure as a `DATA_INVALID` error with PostgreSQL's message, SQLSTATE and position (in the user's query:
 * `prefixLength` characters of SQL Koan put before it are subtracted).
 */
export function pgQueryError(e: unknown, what: string, target: string, prefixLength = 0): KoanError {
  if (e instanceof KoanError) return e;
  const pe = e as { code?: string; position?: string; hint?: string };
  const position = pe.position ? Number(pe.position) - prefixLength : undefined;
  const at = position !== undefined && position > 0 ? ` at character ${position}` : "";
  return new KoanError("DATA_INVALID", `${what} failed on ${target}${at}: ${messageOf(e)}${pe.code ? ` (SQLSTATE ${pe.code})` : ""}`, {
    ...(pe.hint ? { hint: pe.hint } : {}),
    details: { target, ...(pe.code ? { sqlState: pe.code } : {}), ...(position !== undefined && position > 0 ? { position } : {}) },
  });
}
