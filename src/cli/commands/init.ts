/** `koan init [dir]`. @module */
import { resolve } from "node:path";
import { Koan } from "../../client/client.js";
import { EXIT, printJson } from "../output.js";

export default async function init(dir: string, opts: { json?: boolean }): Promise<number> {
  const koan = await Koan.open({ dir: resolve(dir), init: true });
  try {
    const info = { project: koan.project.dir, created: koan.created, config: koan.project.configFile, stack: koan.stack.name, artifactStore: koan.artifacts.uri };
    if (opts.json) printJson(info);
    else process.stdout.write(koan.created ? `initialised a Koan project in ${info.project}\n  config: ${info.config}\n  artifacts: ${info.artifactStore}\n` : `${info.project} is already a Koan project\n`);
    return EXIT.ok;
  } finally {
    await koan.close();
  }
}
