/**
 * A throw-away PostgreSQL server for tests and benchmarks: `initdb` in a temp folder (as the `postgres` user
 * when running as root, since PostgreSQL refuses to run as root), listening on 127.0.0.1 on a free port, with
 * password authentication for TCP. Start it once per test file and stop it in `after()`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running server. */
export interface PostgresServer {
  /** Superuser URL with password, e.g. `postgres://koan:pw@127.0.0.1:5433/koan`. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's folder (data directory and log), owned by the postgres user. */
  dir: string;
  /** A URL for another database or user on this server. */
  urlFor(options: { database?: string; user?: string; password?: string }): string;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (existsSync(join(dir, "initdb"))) return dir;
  } catch {
    /* not on PATH */
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

/** Why PostgreSQL tests must be skipped here, or undefined when they can run. */
export function postgresSkipReason(): string | undefined {
  if (!postgresBinDir()) return "PostgreSQL is not installed (apt-get install postgresql)";
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"], { stdio: "ignore" }).status !== 0) return "running as root without a postgres user";
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run a PostgreSQL binary, as the postgres user when we are root. */
function pgRun(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot
    ? spawnSync("su", ["postgres", "-s", "/bin/sh", "-c", [bin, ...args].map(shellQuote).join(" ")], { encoding: "utf8" })
    : spawnSync(bin, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} ${args[0] ?? ""} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/** Start a server. Throws when PostgreSQL is missing: check {@link postgresSkipReason} first. */
export async function startPostgres(options: { password?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed");
  const dir = await mkdtemp(join(tmpdir(), "koan-pg-"));
  const user = "koan";
  const password = options.password ?? "koan-test-password";
  const asRoot = process.getuid?.() === 0;
  const pwfile = join(dir, "pw");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, uid, gid);
    await chown(pwfile, uid, gid);
  }
  const data = join(dir, "data");
  pgRun(join(bin, "initdb"), ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
  const port = await freePort();
  const opts = [`-c listen_addresses=127.0.0.1`, `-p ${port}`, `-c unix_socket_directories=${dir}`, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=200"].join(" ");
  pgRun(join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
  const host = "127.0.0.1";
  const urlFor = (o: { database?: string; user?: string; password?: string }): string =>
    `postgres://${encodeURIComponent(o.user ?? user)}:${encodeURIComponent(o.password ?? password)}@${host}:${port}/${o.database ?? "postgres"}`;
  let stopped = false;
  return {
    url: urlFor({}),
    host,
    port,
    user,
    password,
    dir,
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgRun(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
