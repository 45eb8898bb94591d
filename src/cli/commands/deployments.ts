/** `koan deployments`: live deployments with their health. @module */
import { deploymentsWithStatus } from "../../serving/deploy/deploy.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson, table } from "../output.js";

export default async function deployments(opts: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const list = await deploymentsWithStatus(koan);
    if (opts.json) {
      printJson(list);
      return EXIT.ok;
    }
    if (!list.length) {
      process.stdout.write("no deployments: koan deploy <bundle> --to <target>\n");
      return EXIT.ok;
    }
    const health = (h: boolean | null, state: string): string => (h === true ? paint("green", `${state}, healthy`) : h === false ? paint("red", `${state}, unhealthy`) : state);
    process.stdout.write(
      `${table(
        list.map((d) => ({ id: d.id, target: d.target, name: `${d.name}:${d.version}`, model: d.model ?? "-", endpoint: d.endpoint ?? "-", status: health(d.status.healthy, d.status.state), created: d.createdAt.replace("T", " ").slice(0, 19) })),
        ["id", "target", "name", "model", "endpoint", "status", "created"],
      )}\n`,
    );
    return EXIT.ok;
  });
}
