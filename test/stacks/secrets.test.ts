/** Secrets: the file (mode 0600, refused when readable by others), the environment, references and scrubbing, and the CLI. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { z } from "zod";
import { isKoanError, KoanError } from "../../src/core/errors.js";
import { createComponent, defineFlavor, validateComponentConfig } from "../../src/core/flavor.js";
import { readSecretsFile } from "../../src/secrets/file.js";
import { resolveSecrets, scrubError } from "../../src/secrets/resolve.js";
import { deleteSecret, getSecret, listSecrets, setSecret } from "../../src/secrets/store.js";
import { BIN, koan, tempDir } from "../helpers.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => Promise.all(cleanups.map((c) => c())));

async function secretsEnv(): Promise<{ env: NodeJS.ProcessEnv; file: string; dir: string }> {
  const { dir, cleanup } = await tempDir("koan-secrets-");
  cleanups.push(cleanup);
  const file = join(dir, "cfg", "koan", "secrets.json");
  return { env: { KOAN_SECRETS_FILE: file }, file, dir };
}

/** Run the CLI with stdin text. */
function koanWithStdin(args: string[], cwd: string, env: NodeJS.ProcessEnv, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("secrets are stored in a 0600 file in a 0700 folder, listed by name, and deleted", async () => {
  const { env, file } = await secretsEnv();
  setSecret("pg", "first", env);
  setSecret("pg", "second", env);
  setSecret("s3-key", "k", env);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(file, ".."))).mode & 0o777, 0o700);
  assert.equal(getSecret("pg", env), "second");
  assert.deepEqual(listSecrets(env), [{ name: "pg", source: "file" }, { name: "s3-key", source: "file" }]);
  deleteSecret("pg", env);
  assert.equal(getSecret("pg", env), undefined);
  assert.throws(() => deleteSecret("pg", env), (e) => isKoanError(e, "NOT_FOUND"));
  assert.throws(() => setSecret("bad name!", "x", env), (e) => isKoanError(e, "USAGE"));
  assert.throws(() => setSecret("empty", "", env), (e) => isKoanError(e, "USAGE"));
});

test("the environment (KOAN_SECRET_<NAME>) wins over the file", async () => {
  const { env } = await secretsEnv();
  setSecret("my-pw", "from-file", env);
  const withEnv = { ...env, KOAN_SECRET_MY_PW: "from-env", KOAN_SECRET_ONLY_ENV: "e" };
  assert.equal(getSecret("my-pw", withEnv), "from-env");
  assert.deepEqual(listSecrets(withEnv), [{ name: "my-pw", source: "env" }, { name: "only-env", source: "env" }]);
});

test("a secrets file readable by group or others is refused, and not echoed", async () => {
  const { env, file } = await secretsEnv();
  setSecret("pg", "value-CANARY-1", env);
  await chmod(file, 0o644);
  assert.throws(() => readSecretsFile(file), (e) => isKoanError(e, "CONFIG_INVALID") && /other users/.test(e.message) && /chmod 600/.test(e.hint ?? "") && !e.message.includes("CANARY"));
  assert.throws(() => getSecret("pg", env), (e) => isKoanError(e, "CONFIG_INVALID"));
  await chmod(file, 0o600);
  await writeFile(file, "{not json", { mode: 0o600 });
  assert.throws(() => readSecretsFile(file), (e) => isKoanError(e, "CONFIG_INVALID") && /not valid JSON/.test(e.message));
});

test("references resolve recursively, percent-encoded inside URLs; missing secrets are named", () => {
  const lookup = (n: string): string | undefined => ({ pw: "p@ss/w:rd", key: "plain" })[n];
  const r = resolveSecrets({ url: "postgres://u:{{secret:pw}}@h/db", nested: ["{{ secret:key }}", 3] }, "metadata-store \"postgres\"", lookup);
  assert.deepEqual(r.config, { url: "postgres://u:p%40ss%2Fw%3Ard@h/db", nested: ["plain", 3] });
  assert.ok(r.values.includes("p@ss/w:rd") && r.values.includes("p%40ss%2Fw%3Ard"));
  assert.throws(
    () => resolveSecrets({ url: "{{secret:missing}}" }, "metadata-store \"postgres\"", lookup),
    (e) => isKoanError(e, "CONFIG_INVALID") && /metadata-store "postgres": secret "missing" is not set/.test(e.message) && /KOAN_SECRET_MISSING/.test(e.hint ?? ""),
  );
});

test("errors are scrubbed of secret values, including causes", () => {
  const inner = new Error("driver said: bad password hunter2");
  const outer = new KoanError("STORE_UNAVAILABLE", "cannot connect with hunter2", { cause: inner, hint: "hunter2?", details: { v: "x-hunter2" } });
  scrubError(outer, ["hunter2"]);
  const all = JSON.stringify([outer.message, outer.hint, outer.details, outer.stack, inner.message, inner.stack]);
  assert.ok(!all.includes("hunter2"));
  assert.match(outer.message, /\*\*\*/);
});

test("createComponent resolves secrets only when creating, and scrubs errors; validation needs no secret", async () => {
  const seen: string[] = [];
  defineFlavor<{ token: string }, { token: string }>({
    type: "orchestrator",
    name: "test-secret-echo",
    description: "test flavor that fails with its config in the message",
    config: z.object({ token: z.string().min(3) }).strict(),
    load: async () => async (config) => {
      seen.push(config.token);
      if (config.token.startsWith("fail")) throw new Error(`could not log in with ${config.token}`);
      return { token: config.token };
    },
  });
  validateComponentConfig("orchestrator", "test-secret-echo", { token: "{{secret:never-set}}" });
  assert.throws(() => validateComponentConfig("orchestrator", "test-secret-echo", { token: 5 }), (e) => isKoanError(e, "CONFIG_INVALID") && /token/.test(e.message));
  const prev = process.env.KOAN_SECRET_ECHO_T;
  process.env.KOAN_SECRET_ECHO_T = "fail-CANARY-42";
  try {
    await assert.rejects(createComponent("orchestrator", "test-secret-echo", { token: "{{secret:echo-t}}" }, { projectDir: "/" }), (e) => {
      assert.ok(e instanceof Error && !e.message.includes("CANARY-42") && !(e.stack ?? "").includes("CANARY-42"), "scrubbed");
      return true;
    });
    assert.deepEqual(seen, ["fail-CANARY-42"], "the flavor got the resolved value");
  } finally {
    if (prev === undefined) delete process.env.KOAN_SECRET_ECHO_T;
    else process.env.KOAN_SECRET_ECHO_T = prev;
  }
});

test("koan secret set reads stdin (never argv); list and delete never print values", async () => {
  const { env, file, dir } = await secretsEnv();
  const set = await koanWithStdin(["secret", "set", "pg-pw", "--json"], dir, env, "s3cr3t-CANARY-set\n");
  assert.equal(set.code, 0, set.stderr);
  assert.equal(JSON.parse(set.stdout).name, "pg-pw");
  assert.equal(JSON.parse(await readFile(file, "utf8")).secrets["pg-pw"], "s3cr3t-CANARY-set", "one trailing newline dropped");
  const extra = await koan(["secret", "set", "pg-pw", "value-on-argv"], dir, env);
  assert.equal(extra.code, 2, "a value on the command line is a usage error");
  const list = await koan(["secret", "list", "--json"], dir, env);
  assert.equal(list.code, 0);
  assert.deepEqual(JSON.parse(list.stdout).secrets, [{ name: "pg-pw", source: "file" }]);
  const human = await koan(["secret", "list"], dir, env);
  assert.match(human.stdout, /pg-pw/);
  for (const out of [set, list, human]) assert.ok(!(out.stdout + out.stderr).includes("CANARY"));
  const empty = await koanWithStdin(["secret", "set", "other"], dir, env, "");
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty/);
  const del = await koan(["secret", "delete", "pg-pw"], dir, env);
  assert.equal(del.code, 0);
  assert.equal((await koan(["secret", "delete", "pg-pw"], dir, env)).code, 2);
});
