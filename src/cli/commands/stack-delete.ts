/** `koan stack delete <name>`. @module */
import { deleteStack } from "../../stack/registry.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, printJson } from "../output.js";

export default async function stackDelete(name: string, opts: { project?: string; json?: boolean }): Promise<number> {
  await deleteStack(await projectAt(opts.project), name);
  if (opts.json) printJson({ deleted: name });
  else process.stdout.write(`deleted stack "${name}" (its stores were not touched)\n`);
  return EXIT.ok;
}
