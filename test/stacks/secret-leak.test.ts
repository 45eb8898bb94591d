/**
 * A recognisable secret, used as a PostgreSQL password through `{{secret:NAME}}`, never shows up in the metadata
 * store (rows or raw data files), the project config, run output, error output, or `koan stack describe`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { BIN, koan, tempProject, type CliResult } from "../helpers.js";
import { freePort, postgresSkipReason, startPostgres, type PostgresServer } from "./postgres-server.js";

const skip = postgresSkipReason();
const cleanups: (() => Promise<void>)[] = [];
let server: PostgresServer | undefined;
before(async () => {
  if (skip) return;
  server = await startPostgres();
  cleanups.push(() => server?.stop() ?? Promise.resolve());
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const CANARY = `Koan-CANARY-${randomBytes(6).toString("hex")}`;

const PIPELINES = {
  "ok.ts": `import { pipeline, step, types as t } from "koan";
const one = step({ name: "one", outputs: { v: t.json<number>() }, run: (ctx) => { ctx.log.info("password is " + (process.env.NOT_A_SECRET ?? "none")); return { v: 1 }; } });
export default pipeline({ name: "ok", build: () => { one(); } });
`,
  "fails.ts": `import { pipeline, step, types as t } from "koan";
const boom = step({ name: "boom", outputs: { v: t.json<number>() }, run: () => { throw new Error("step failed on purpose"); } });
export default pipeline({ name: "fails", build: () => { boom(); } });
`,
};

function withStdin(args: string[], cwd: string, env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

test("a secret used as the PostgreSQL password never leaks", { skip }, async () => {
  const s = server as PostgresServer;
  const admin = new pg.Client({ connectionString: s.url });
  await admin.connect();
  await admin.query(`create role canary login password '${CANARY}'`);
  await admin.query("create database leak owner canary");
  await admin.end();

  const p = await tempProject();
  cleanups.push(p.cleanup);
  for (const [name, text] of Object.entries(PIPELINES)) await p.write(name, text);
  const env = { KOAN_SECRETS_FILE: join(p.dir, "..", `${p.dir.split("/").pop()}-secrets`, "secrets.json") };
  const outputs: CliResult[] = [];
  const cli = async (args: string[], expect: number | null): Promise<CliResult> => {
    const r = await koan(args, p.dir, env);
    outputs.push(r);
    assert.equal(r.code, expect, `koan ${args.join(" ")}: ${r.stderr}${r.stdout}`);
    return r;
  };

  await cli(["init"], 0);
  const set = await withStdin(["secret", "set", "pgpw"], p.dir, env, CANARY);
  outputs.push(set);
  assert.equal(set.code, 0, set.stderr);
  const url = (port: number, db: string): string => `postgres://canary:{{secret:pgpw}}@127.0.0.1:${port}/${db}`;
  const deadPort = await freePort();
  await cli(["stack", "register", "team", "--artifact-store", "team-artifacts", "--metadata-store", url(s.port, "leak"), "--use"], 0);
  await cli(["stack", "register", "down", "--artifact-store", "team-artifacts", "--metadata-store", url(deadPort, "leak")], 0);
  await cli(["stack", "register", "nodb", "--artifact-store", "team-artifacts", "--metadata-store", url(s.port, "missing_db")], 0);

  const ok = await cli(["run", "ok.ts", "--json"], 0);
  const runId = /"runId":\s*"([^"]+)"/.exec(ok.stdout)?.[1] ?? "";
  assert.ok(runId, ok.stdout);
  await cli(["run", "fails.ts"], 1);
  await cli(["run", "fails.ts", "--json"], 1);
  await cli(["runs", "--json"], 0);
  if (runId) await cli(["runs", "show", runId, "--json", "--logs"], 0);
  await cli(["stack", "describe"], 0);
  await cli(["stack", "describe", "--json"], 0);
  await cli(["stack", "list", "--json"], 0);
  await cli(["secret", "list", "--json"], 0);
  // Errors with the secret in play: connection refused, a missing database, runs on those stacks.
  await cli(["stack", "describe", "down"], 1);
  await cli(["stack", "describe", "nodb", "--json"], 1);
  await cli(["run", "ok.ts", "--stack", "down"], 1);
  await cli(["run", "ok.ts", "--stack", "nodb", "--json"], 1);

  for (const r of outputs) assert.ok(!(r.stdout + r.stderr).includes(CANARY), `output leaks the secret: ${r.stdout}${r.stderr}`);
  assert.ok(outputs.some((r) => /connection refused/.test(r.stdout + r.stderr)), "an unreachable store was reported");
  assert.ok(outputs.some((r) => /missing_db\\?" does not exist/.test(r.stdout + r.stderr)), "a missing database was reported");

  // The metadata store: every row of every table, and the server's raw files.
  const db = new pg.Client({ connectionString: s.urlFor({ database: "leak" }) });
  await db.connect();
  try {
    const tables = (await db.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'")).rows.map((r) => r.tablename);
    assert.ok(tables.includes("runs") && tables.includes("step_runs"));
    let dump = "";
    for (const t of tables) dump += JSON.stringify((await db.query(`select * from "${t}"`)).rows);
    assert.ok(dump.length > 1000, "the store holds the runs");
    assert.ok(!dump.includes(CANARY), "no secret in any row");
    const stacks = (await db.query<{ stack: string }>("select stack from runs")).rows.map((r) => JSON.parse(r.stack) as { metadataStore: { flavor: string; uri: string } });
    assert.ok(stacks.length >= 3);
    for (const st of stacks) assert.deepEqual(st.metadataStore, { flavor: "postgres", uri: `postgres://canary:***@127.0.0.1:${s.port}/leak` });
  } finally {
    await db.end();
  }
  for (const f of await filesUnder(s.dir)) {
    if ((await stat(f)).size > 64 << 20) continue;
    assert.ok(!(await readFile(f)).includes(Buffer.from(CANARY)), `server file ${f} holds the secret`);
  }
  for (const f of await filesUnder(join(p.dir, ".koan"))) assert.ok(!(await readFile(f)).includes(Buffer.from(CANARY)), `${f} holds the secret`);
  for (const f of await filesUnder(join(p.dir, "team-artifacts"))) assert.ok(!(await readFile(f)).includes(Buffer.from(CANARY)), `${f} holds the secret`);
  const config = await readFile(join(p.dir, ".koan", "config.yaml"), "utf8");
  assert.match(config, /\{\{secret:pgpw\}\}/);
});
