/** `koan secret delete <name>`. @module */
import { deleteSecret } from "../../secrets/store.js";
import { EXIT, printJson } from "../output.js";

export default async function secretDelete(name: string, opts: { json?: boolean }): Promise<number> {
  deleteSecret(name);
  if (opts.json) printJson({ deleted: name });
  else process.stdout.write(`deleted secret "${name}"\n`);
  return EXIT.ok;
}
