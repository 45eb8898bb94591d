/**
 * Config of the `postgres` metadata store flavor, and turning it into a `pg` pool config. The URL names user,
 * host, port and database; the password comes from a `{{secret:NAME}}` reference inside the URL (resolved when
 * the store is opened), from the environment variable named by `passwordEnv`, or from `pg`'s own sources
 * (`PGPASSWORD`, `~/.pgpass`).
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../../core/errors.js";
import { redactUri } from "../../../secrets/redact.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Schema of the postgres flavor's config. */
export const postgresConfigSchema = z
  .object({
    /** `postgres://user@host:port/database` (also `postgresql://`); query parameters such as `sslmode` pass through. */
    url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres://user@host:port/database URL"),
    /** Name of an environment variable holding the password. */
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
    /** A schema to keep Koan's tables in (created when missing); default: the user's search path. */
    schema: z.string().regex(IDENT, "must be a plain SQL identifier").optional(),
    /** Connections in the pool (default 10). */
    poolSize: z.number().int().min(1).max(100).optional(),
    /** How long to wait for a connection, in ms (default 10000). */
    connectTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  })
  .strict();

/** The postgres flavor's config. */
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

/** What the driver needs: the pool settings and the redacted URL for messages. */
export interface PostgresTarget {
  /** For display and run records: no password. */
  uri: string;
  user: string;
  database: string;
  pool: {
    connectionString: string;
    password?: string;
    max: number;
    connectionTimeoutMillis: number;
    options?: string;
  };
}

/** Check the URL and build the pool settings. Errors never include the URL's password. */
export function postgresTarget(config: PostgresConfig, env: NodeJS.ProcessEnv = process.env): PostgresTarget {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new KoanError("CONFIG_INVALID", `metadata-store "postgres": url is not a valid URL (${redactUri(config.url)})`, { hint: "use postgres://user@host:port/database; put the password in a secret: postgres://user:{{secret:NAME}}@host/db" });
  }
  if (!url.hostname) throw new KoanError("CONFIG_INVALID", `metadata-store "postgres": url ${redactUri(config.url)} names no host`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres";
  const user = decodeURIComponent(url.username) || env.PGUSER || "postgres";
  const display = new URL(url.href);
  if (display.password) display.password = "***";
  let password: string | undefined;
  if (config.passwordEnv) {
    password = env[config.passwordEnv];
    if (password === undefined) {
      throw new KoanError("CONFIG_INVALID", `metadata-store "postgres": the environment variable ${config.passwordEnv} (passwordEnv) is not set`, { hint: `export ${config.passwordEnv}=... or reference a secret in the URL instead` });
    }
  }
  return {
    uri: redactUri(display.href),
    user,
    database,
    pool: {
      connectionString: url.href,
      ...(password !== undefined ? { password } : {}),
      max: config.poolSize ?? 10,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
    },
  };
}
