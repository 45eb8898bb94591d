/** `koan stack describe [name]`: validate and check reachability; exit 1 when a component is not reachable. @module */
import { describeStack } from "../../stack/describe.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, paint, printJson } from "../output.js";

const LABEL = { artifactStore: "artifact store", metadataStore: "metadata store", orchestrator: "orchestrator" } as const;
const labelOf = (c: { role: keyof typeof LABEL | "stepBackend"; name?: string }): string => (c.role === "stepBackend" ? `backend ${c.name ?? ""}` : LABEL[c.role]);

export default async function stackDescribe(name: string | undefined, opts: { project?: string; json?: boolean }): Promise<number> {
  const report = await describeStack(await projectAt(opts.project), name);
  if (opts.json) {
    printJson(report);
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const out = process.stdout;
  out.write(`stack "${report.name}"${report.active ? " (active)" : ""}\n`);
  for (const c of report.components) {
    const mark = c.status === "ok" ? paint("green", "ok") : paint("red", c.status);
    out.write(`  ${labelOf(c).padEnd(15)} ${c.flavor.padEnd(9)} ${mark}  ${c.uri}\n`);
    if (c.secrets.length) out.write(`  ${"".padEnd(15)} secrets: ${c.secrets.join(", ")}\n`);
    if (c.error) {
      out.write(`  ${"".padEnd(15)} ${paint("red", c.error.message)}\n`);
      if (c.error.hint) out.write(`  ${"".padEnd(15)} ${paint("yellow", "hint")}  ${c.error.hint}\n`);
    }
  }
  const bad = report.components.filter((c) => c.status !== "ok").map(labelOf);
  out.write(bad.length ? `${paint("red", "not usable")}: ${bad.join(", ")}\n` : `${paint("green", "all components reachable")}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}
