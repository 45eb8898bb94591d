/** `koan lineage <artifact> [--down]`: print the lineage tree. @module */
import type { LineageGraph, LineageNode } from "../../client/lineage.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson } from "../output.js";

function label(n: LineageNode | undefined): string {
  if (!n) return "?";
  return n.kind === "artifact" ? `${paint("cyan", n.id)} ${n.type} "${n.outputName}" sha256:${n.contentHash.slice(0, 12)}` : `${paint("bold", n.step)} step run ${n.id} of run ${n.runId}${n.cacheHit ? " (cache hit)" : ""}`;
}

/** Render a lineage graph as an indented tree from its root. */
export function renderTree(g: LineageGraph): string {
  const nodes = new Map(g.nodes.map((n) => [n.id, n] as const));
  const next = (id: string): { id: string; port: string }[] =>
    (g.direction === "up" ? g.edges.filter((e) => e.to === id).map((e) => ({ id: e.from, port: e.port })) : g.edges.filter((e) => e.from === id).map((e) => ({ id: e.to, port: e.port })));
  const lines: string[] = [label(nodes.get(g.root))];
  const seen = new Set([g.root]);
  const walk = (id: string, prefix: string): void => {
    const kids = next(id);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      const arrow = g.direction === "up" ? "←" : "→";
      lines.push(`${prefix}${last ? "└─" : "├─"} ${arrow} ${paint("dim", k.port)} ${label(nodes.get(k.id))}${seen.has(k.id) ? " (see above)" : ""}`);
      if (!seen.has(k.id)) {
        seen.add(k.id);
        walk(k.id, `${prefix}${last ? "   " : "│  "}`);
      }
    });
  };
  walk(g.root, "");
  return lines.join("\n");
}

export default async function lineage(ref: string, opts: ProjectOptions & { down?: boolean; json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const g = await koan.lineage(ref, opts.down ? "down" : "up");
    if (opts.json) printJson(g);
    else process.stdout.write(`${renderTree(g)}\n`);
    return EXIT.ok;
  });
}
