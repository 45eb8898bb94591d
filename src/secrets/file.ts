/**
 * The local secrets file: JSON `{ "version": 1, "secrets": { name: value } }`, kept outside any repository
 * (default `$XDG_CONFIG_HOME/koan/secrets.json`, else `~/.config/koan/secrets.json`; `KOAN_SECRETS_FILE`
 * overrides). It is created with mode 0600 in a 0700 folder, written atomically, and refused when group or
 * others can read it. Errors name the file, never a value.
 * @module
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { KoanError } from "../core/errors.js";

/** Where the secrets file lives for this environment. */
export function secretsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KOAN_SECRETS_FILE) return resolve(env.KOAN_SECRETS_FILE);
  const base = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), ".config");
  return join(base, "koan", "secrets.json");
}

/**
 * Read every secret in the file (empty when the file does not exist). Refuses a file that group or others can
 * read or write, or that is not valid.
 */
export function readSecretsFile(file: string = secretsFilePath()): Record<string, string> {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new KoanError("CONFIG_INVALID", `cannot read the secrets file ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new KoanError("CONFIG_INVALID", `the secrets file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); Koan refuses to use it`, {
      hint: `run: chmod 600 ${file}`,
      details: { file },
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new KoanError("CONFIG_INVALID", `the secrets file ${file} is not valid JSON`, { hint: "fix or delete it, then set the secrets again with `koan secret set`" });
  }
  const secrets = (raw as { version?: unknown; secrets?: unknown } | null)?.secrets;
  if ((raw as { version?: unknown } | null)?.version !== 1 || !secrets || typeof secrets !== "object" || Array.isArray(secrets)) {
    throw new KoanError("CONFIG_INVALID", `the secrets file ${file} does not hold {"version": 1, "secrets": {...}}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    if (typeof v !== "string") throw new KoanError("CONFIG_INVALID", `the secrets file ${file}: the value of "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

/** Replace the file's content atomically (temp file with mode 0600, then rename), creating its folder (0700). */
export function writeSecretsFile(secrets: Record<string, string>, file: string = secretsFilePath()): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw new KoanError("CONFIG_INVALID", `cannot write the secrets file ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}
