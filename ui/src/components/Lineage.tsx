/** An artifact's lineage graph: artifacts link to their pages, step runs to their runs. */
import { useMemo } from "preact/hooks";
import type { LineageGraph } from "../../../src/ui/api-types.js";
import { shortHash } from "../format.js";
import { STATE_COLORS } from "./Dag.js";
import { Graph, type GraphNode } from "./Graph.js";

export function Lineage({ graph }: { graph: LineageGraph }) {
  const nodes = useMemo<GraphNode[]>(
    () =>
      graph.nodes.map((n) => {
        if (n.kind === "artifact") {
          const label = `${n.outputName}`;
          const width = Math.max(150, label.length * 8 + 40);
          return {
            id: n.id,
            width,
            height: 50,
            draw: (b) => (
              <a href={`/artifacts/${encodeURIComponent(n.id)}`} class="lineage-artifact" data-artifact={n.id}>
                <rect x={b.x} y={b.y} width={b.width} height={b.height} rx="22" class={`lin-art${n.id === graph.root ? " root" : ""}`} />
                <text x={b.x + b.width / 2} y={b.y + 21} text-anchor="middle" class="dag-name">
                  {label}
                </text>
                <text x={b.x + b.width / 2} y={b.y + 38} text-anchor="middle" class="dag-meta">
                  {n.type} · {shortHash(n.contentHash).slice(0, 8)}
                </text>
              </a>
            ),
          };
        }
        const width = Math.max(150, n.step.length * 8 + 40);
        return {
          id: n.id,
          width,
          height: 50,
          draw: (b) => (
            <a href={`/runs/${encodeURIComponent(n.runId)}?step=${encodeURIComponent(n.step)}`} class="lineage-step" data-step={n.step}>
              <rect x={b.x} y={b.y} width={b.width} height={b.height} rx="4" class="dag-box" />
              <rect x={b.x} y={b.y} width="6" height={b.height} rx="3" fill={STATE_COLORS[n.status] ?? "#999"} />
              <text x={b.x + 16} y={b.y + 21} class="dag-name">
                {n.step}
              </text>
              <text x={b.x + 16} y={b.y + 38} class="dag-meta">
                run …{n.runId.slice(-8)}
                {n.cacheHit ? " · cached" : ""}
              </text>
            </a>
          ),
        };
      }),
    [graph],
  );
  const edges = useMemo(() => graph.edges.map((e) => ({ from: e.from, to: e.to, label: e.port })), [graph]);
  return <Graph nodes={nodes} edges={edges} label={`lineage of artifact ${graph.root}`} />;
}
