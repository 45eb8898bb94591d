/** The Run page: the DAG with every step's state, the selected step's panel, run metrics and configuration. */
import { useCallback } from "preact/hooks";
import type { RunView } from "../../../src/ui/api-types.js";
import { useApi, useLive } from "../api.js";
import { Dag } from "../components/Dag.js";
import { flatten, Json, KeyValues } from "../components/Json.js";
import { Loading, Problem } from "../components/Problem.js";
import { navigate } from "../router.js";
import { RunHeader } from "./RunHeader.js";
import { MetricsBlock, StepPanel } from "./StepPanel.js";

export function RunPage({ id, step }: { id: string; step: string | null }) {
  const view = useApi<RunView>(`/api/runs/${encodeURIComponent(id)}`);
  const running = view.data?.run.status === "running";
  useLive(running ? `/api/runs/${encodeURIComponent(id)}/events` : null, view.reload);
  const select = useCallback((name: string) => navigate(`/runs/${encodeURIComponent(id)}?step=${encodeURIComponent(name)}`, true), [id]);
  if (view.error) return <Problem error={view.error} what="run" />;
  if (!view.data) return <Loading />;
  const v = view.data;
  const chosen = v.steps.find((s) => s.name === step) ?? v.steps.find((s) => s.status === "failed") ?? null;
  return (
    <div class="page">
      <RunHeader view={v} tab="overview" />
      <div class="run-body">
        <div class="run-main">
          <section class="card" data-testid="dag">
            <h2>Pipeline</h2>
            <Dag view={v} selected={chosen?.name ?? null} onSelect={select} />
            <p class="muted small">Click a step to see its parameters, inputs, outputs, metrics and log.{running ? " This page updates live while the run is going." : ""}</p>
          </section>
          {v.metrics.length ? (
            <section class="card">
              <h2>Metrics</h2>
              <MetricsBlock metrics={v.metrics} prefix />
            </section>
          ) : null}
          <section class="card">
            <h2>Configuration</h2>
            <KeyValues entries={flatten((v.run.config as { params?: never })?.params)} empty="no parameters" />
            <details>
              <summary>Full configuration, environment and stack</summary>
              <Json data={{ config: v.run.config, environment: v.run.environment, stack: v.run.stack, sourceHash: v.run.sourceHash }} />
            </details>
          </section>
        </div>
        <aside class="run-side">{chosen ? <StepPanel runId={v.run.id} step={chosen} /> : <div class="empty">Select a step in the graph.</div>}</aside>
      </div>
    </div>
  );
}
