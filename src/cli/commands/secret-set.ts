/** `koan secret set <name>`: the value comes from stdin or an echo-free prompt. @module */
import { checkSecretName, secretEnvVar } from "../../secrets/names.js";
import { secretsFilePath } from "../../secrets/file.js";
import { readSecretValue } from "../../secrets/input.js";
import { setSecret } from "../../secrets/store.js";
import { EXIT, printJson } from "../output.js";

export default async function secretSet(name: string, opts: { json?: boolean }): Promise<number> {
  checkSecretName(name);
  const value = await readSecretValue(name);
  setSecret(name, value);
  const file = secretsFilePath();
  const shadowed = Boolean(process.env[secretEnvVar(name)]);
  if (opts.json) printJson({ name, file, shadowedByEnv: shadowed });
  else {
    process.stdout.write(`stored secret "${name}" in ${file}\n`);
    if (shadowed) process.stderr.write(`note: ${secretEnvVar(name)} is set in this environment and takes precedence\n`);
  }
  return EXIT.ok;
}
