/** A run's DAG: each step with its state, duration and cache hit; clicking a step selects it. */
import { useMemo } from "preact/hooks";
import type { RunView, StepView } from "../../../src/ui/api-types.js";
import { duration } from "../format.js";
import { Graph, type GraphNode } from "./Graph.js";

export const STATE_COLORS: Record<string, string> = {
  succeeded: "#2f8f5b",
  running: "#2a6fdb",
  failed: "#c9372c",
  cancelled: "#a06a00",
  interrupted: "#a06a00",
  skipped: "#8a8f98",
  pending: "#b5bac2",
  "not run": "#b5bac2",
};

export function Dag({ view, selected, onSelect }: { view: RunView; selected: string | null; onSelect: (step: string) => void }) {
  const steps = useMemo(() => new Map(view.steps.map((s) => [s.name, s] as const)), [view]);
  const nodes = useMemo<GraphNode[]>(
    () =>
      view.dag.nodes.map((n) => {
        const s = steps.get(n.name) as StepView;
        const meta = `${s.status} · ${duration(s.durationMs)}${s.cacheHit ? " · ⚡ cached" : ""}`;
        const width = Math.max(140, n.name.length * 8.5 + 44, meta.length * 6.4 + 28);
        return {
          id: n.name,
          width,
          height: 58,
          draw: (b) => (
            <g class={`dag-step${selected === n.name ? " selected" : ""}`} data-step={n.name} data-status={s.status} onClick={() => onSelect(n.name)} style={{ cursor: "pointer" }}>
              <title>{`${n.name}: ${s.status}${s.cacheHit ? " (cache hit)" : ""}`}</title>
              <rect x={b.x} y={b.y} width={b.width} height={b.height} rx="8" class="dag-box" />
              <rect x={b.x} y={b.y} width="6" height={b.height} rx="3" fill={STATE_COLORS[s.status] ?? "#999"} />
              <circle cx={b.x + b.width - 14} cy={b.y + 14} r="5" fill={STATE_COLORS[s.status] ?? "#999"} class={s.status === "running" ? "pulse" : ""} />
              <text x={b.x + 16} y={b.y + 22} class="dag-name">
                {n.name}
              </text>
              <text x={b.x + 16} y={b.y + 42} class="dag-meta">
                {meta}
              </text>
            </g>
          ),
        };
      }),
    [view, selected, steps, onSelect],
  );
  const edges = useMemo(() => view.dag.edges.map((e) => ({ from: e.from, to: e.to, label: e.port })), [view]);
  return <Graph nodes={nodes} edges={edges} label={`DAG of run ${view.run.id}`} />;
}
