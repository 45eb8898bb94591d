/**
 * Secrets by name: from the environment (`KOAN_SECRET_<NAME>`, which wins) or the local secrets file.
 *
 * @example
 * ```ts
 * setSecret("pg", "hunter2");          // what `koan secret set pg` does with stdin
 * getSecret("pg");                     // "hunter2" (or KOAN_SECRET_PG when set)
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import { readSecretsFile, secretsFilePath, writeSecretsFile } from "./file.js";
import { checkSecretName, secretEnvVar } from "./names.js";

/** Where a secret's value comes from. */
export type SecretSource = "env" | "file";

/** A secret's name and source (never its value). */
export interface SecretInfo {
  name: string;
  source: SecretSource;
}

/** The value of secret `name`, or undefined when neither the environment nor the secrets file has it. */
export function getSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[secretEnvVar(name)];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return readSecretsFile(secretsFilePath(env))[name];
}

/** Store a secret in the secrets file (replacing any value). */
export function setSecret(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  checkSecretName(name);
  if (value === "") throw new KoanError("USAGE", `the value of secret "${name}" is empty`, { hint: "pipe the value on stdin, e.g. `printf %s \"$PW\" | koan secret set NAME`" });
  const file = secretsFilePath(env);
  const all = readSecretsFile(file);
  all[name] = value;
  writeSecretsFile(all, file);
}

/** Remove a secret from the secrets file; `NOT_FOUND` when it is not there. */
export function deleteSecret(name: string, env: NodeJS.ProcessEnv = process.env): void {
  checkSecretName(name);
  const file = secretsFilePath(env);
  const all = readSecretsFile(file);
  if (!(name in all)) {
    const inEnv = env[secretEnvVar(name)] !== undefined;
    throw new KoanError("NOT_FOUND", `no secret "${name}" in ${file}`, inEnv ? { hint: `it comes from the environment variable ${secretEnvVar(name)}; unset that instead` } : { hint: "list secrets with `koan secret list`" });
  }
  delete all[name];
  writeSecretsFile(all, file);
}

/** Every secret known here: the file's and the environment's `KOAN_SECRET_*` ones (env wins), by name. */
export function listSecrets(env: NodeJS.ProcessEnv = process.env): SecretInfo[] {
  const out = new Map<string, SecretInfo>();
  for (const name of Object.keys(readSecretsFile(secretsFilePath(env)))) out.set(name, { name, source: "file" });
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith("KOAN_SECRET_") || !v) continue;
    const known = [...out.keys()].find((n) => secretEnvVar(n) === k);
    const name = known ?? k.slice("KOAN_SECRET_".length).toLowerCase().replace(/_/g, "-");
    out.set(name, { name, source: "env" });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
