/** `koan secret list`: names and sources, never values. @module */
import { secretsFilePath } from "../../secrets/file.js";
import { listSecrets } from "../../secrets/store.js";
import { EXIT, printJson, table } from "../output.js";

export default async function secretList(opts: { json?: boolean }): Promise<number> {
  const secrets = listSecrets();
  if (opts.json) {
    printJson({ file: secretsFilePath(), secrets });
    return EXIT.ok;
  }
  if (!secrets.length) process.stdout.write(`no secrets (file: ${secretsFilePath()}); add one with: koan secret set NAME\n`);
  else process.stdout.write(`${table(secrets.map((s) => ({ name: s.name, source: s.source === "env" ? "environment" : "secrets file" })), ["name", "source"])}\n`);
  return EXIT.ok;
}
