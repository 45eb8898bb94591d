/** `koan stack list`. @module */
import { listStacks } from "../../stack/registry.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, paint, printJson, table } from "../output.js";

export default async function stackList(opts: { project?: string; json?: boolean }): Promise<number> {
  const stacks = listStacks(await projectAt(opts.project));
  if (opts.json) {
    printJson(stacks);
    return EXIT.ok;
  }
  process.stdout.write(
    `${table(
      stacks.map((s) => ({
        "": s.active ? paint("green", "*") : "",
        name: s.name,
        artifacts: `${s.artifactStore.flavor} ${s.artifactStore.uri}`,
        metadata: `${s.metadataStore.flavor} ${s.metadataStore.uri}`,
        orchestrator: s.orchestrator.flavor,
      })),
      ["", "name", "artifacts", "metadata", "orchestrator"],
    )}\n`,
  );
  return EXIT.ok;
}
