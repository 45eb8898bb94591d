/** `koan stack use <name>`. @module */
import { useStack } from "../../stack/registry.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, printJson } from "../output.js";

export default async function stackUse(name: string, opts: { project?: string; json?: boolean }): Promise<number> {
  const saved = await useStack(await projectAt(opts.project), name);
  if (opts.json) printJson({ activeStack: saved.config.activeStack });
  else process.stdout.write(`the active stack is now "${name}"\n`);
  return EXIT.ok;
}
