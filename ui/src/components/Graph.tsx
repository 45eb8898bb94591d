/** A directed graph laid out left to right by dagre and drawn as SVG; callers draw the nodes. */
import dagre from "@dagrejs/dagre";
import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";

/** A node to lay out: its size, and how to draw it inside its box. */
export interface GraphNode {
  id: string;
  width: number;
  height: number;
  draw: (box: { x: number; y: number; width: number; height: number }) => ComponentChildren;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

export function Graph({ nodes, edges, label }: { nodes: GraphNode[]; edges: GraphEdge[]; label: string }) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 70, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
    edges.forEach((e, i) => {
      if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, { label: e.label ?? "", width: (e.label?.length ?? 0) * 6.5, height: 14, labelpos: "c" }, `e${i}`);
    });
    dagre.layout(g);
    const graph = g.graph() as { width?: number; height?: number };
    return {
      width: graph.width ?? 100,
      height: graph.height ?? 100,
      nodes: nodes.map((n) => {
        const p = g.node(n.id) as { x: number; y: number };
        return { n, box: { x: p.x - n.width / 2, y: p.y - n.height / 2, width: n.width, height: n.height } };
      }),
      edges: g.edges().map((e) => {
        const d = g.edge(e) as { points: { x: number; y: number }[]; label: string; x?: number; y?: number };
        return { key: `${e.v}-${e.w}-${e.name ?? ""}`, points: d.points, label: d.label, x: d.x, y: d.y };
      }),
    };
  }, [nodes, edges]);
  return (
    <div class="graph">
      <svg role="img" aria-label={label} viewBox={`0 0 ${layout.width} ${layout.height}`} style={{ width: "100%", maxWidth: `${layout.width}px`, height: "auto" }}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8f98" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <g key={e.key} class="edge">
            <polyline points={e.points.map((p) => `${p.x},${p.y}`).join(" ")} fill="none" stroke="#8a8f98" stroke-width="1.4" marker-end="url(#arrow)" />
            {e.label && e.x !== undefined && e.y !== undefined ? (
              <text x={e.x} y={e.y + 4} text-anchor="middle" class="edge-label">
                {e.label}
              </text>
            ) : null}
          </g>
        ))}
        {layout.nodes.map(({ n, box }) => (
          <g key={n.id} class="node" data-node={n.id}>
            {n.draw(box)}
          </g>
        ))}
      </svg>
    </div>
  );
}
