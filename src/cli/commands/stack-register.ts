/** `koan stack register <name> --artifact-store <uri> --metadata-store <uri>`. @module */
import "../../stores/flavors.js";
import "../../orchestrators/flavors.js";
import "../../backends/flavors.js";
import { parseOrchestratorArg, parseStepBackendArgs } from "../../backends/spec.js";
import { componentsFromUris, listStacks, registerStack } from "../../stack/registry.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, printJson } from "../output.js";

export default async function stackRegister(
  name: string,
  opts: { artifactStore: string; metadataStore: string; orchestrator: string; stepBackend?: string[]; use?: boolean; project?: string; json?: boolean },
): Promise<number> {
  const project = await projectAt(opts.project);
  const stepBackends = parseStepBackendArgs(opts.stepBackend ?? []);
  const orchestrator = parseOrchestratorArg(opts.orchestrator);
  const components = { ...componentsFromUris({ artifactStore: opts.artifactStore, metadataStore: opts.metadataStore, stepBackends }), orchestrator };
  const saved = await registerStack(project, name, components, { activate: Boolean(opts.use) });
  const summary = listStacks(saved).find((s) => s.name === name);
  if (opts.json) printJson({ registered: summary });
  else {
    process.stdout.write(`registered stack "${name}"${opts.use ? " (now active)" : ""}\n`);
    process.stdout.write(`  artifact store  ${summary?.artifactStore.flavor}  ${summary?.artifactStore.uri}\n`);
    process.stdout.write(`  metadata store  ${summary?.metadataStore.flavor}  ${summary?.metadataStore.uri}\n`);
    process.stdout.write(`  orchestrator    ${summary?.orchestrator.flavor}\n`);
    for (const [n, flavor] of Object.entries(summary?.stepBackends ?? {})) process.stdout.write(`  backend ${n.padEnd(7)} ${flavor}\n`);
    if (!opts.use) process.stdout.write(`check it with: koan stack describe ${name}; use it with: koan stack use ${name}\n`);
  }
  return EXIT.ok;
}
