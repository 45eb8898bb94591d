/** `koan undeploy <id>`. @module */
import { undeploy } from "../../serving/deploy/deploy.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function undeployCommand(id: string, opts: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const lines: string[] = [];
    const d = await undeploy(koan, id, (l) => lines.push(l));
    if (opts.json) printJson({ undeployed: d.id, target: d.target, log: lines });
    else process.stdout.write(`${[...lines, `undeployed ${d.id}`].join("\n")}\n`);
    return EXIT.ok;
  });
}
