/** The Evaluation page of a run: training curves, metrics overall and per slice, confusion matrix, calibration, blessing. */
import { useCallback, useState } from "preact/hooks";
import type { EvaluationContent, EvaluationView, RunView } from "../../../src/ui/api-types.js";
import { useApi } from "../api.js";
import { Empty } from "../components/Empty.js";
import { PlotFigure } from "../components/Plot.js";
import { Loading, Problem } from "../components/Problem.js";
import { calibration, confusionMatrix, metricBars } from "../components/charts.js";
import { num } from "../format.js";
import { RunHeader } from "./RunHeader.js";
import { MetricsBlock } from "./StepPanel.js";

function SliceTable({ e }: { e: EvaluationContent }) {
  const [filter, setFilter] = useState("");
  const names = [...new Set(e.metrics.map((m) => m.name))];
  const [metric, setMetric] = useState(names[0] ?? "");
  const slices = e.metrics.filter((m) => m.slice !== null && (!filter || (m.slice ?? "").toLowerCase().includes(filter.toLowerCase())));
  const chartRows = slices.filter((m) => m.name === metric).map((m) => ({ label: m.slice as string, value: m.value, best: false }));
  const make = useCallback(() => metricBars(chartRows, { title: metric, width: 520 }), [JSON.stringify(chartRows), metric]);
  if (!e.metrics.some((m) => m.slice !== null)) return <div class="muted">No slice metrics in this evaluation.</div>;
  return (
    <div>
      <div class="filters">
        <input type="search" placeholder="filter slices" aria-label="filter slices" value={filter} onInput={(x) => setFilter((x.target as HTMLInputElement).value)} />
        <select aria-label="slice metric" value={metric} onChange={(x) => setMetric((x.target as HTMLSelectElement).value)}>
          {names.map((n) => <option key={n}>{n}</option>)}
        </select>
      </div>
      {chartRows.length ? <PlotFigure make={make} label="slice metric chart" /> : null}
      <table class="runs">
        <thead><tr><th>slice</th><th>metric</th><th>value</th></tr></thead>
        <tbody>{slices.map((m, i) => <tr key={i}><td>{m.slice}</td><td>{m.name}</td><td class="num">{num(m.value)}</td></tr>)}</tbody>
      </table>
    </div>
  );
}

function Evaluation({ e }: { e: EvaluationContent }) {
  const confusion = useCallback(() => confusionMatrix(e.confusion?.labels ?? [], e.confusion?.matrix ?? []), [e]);
  const calib = useCallback(() => calibration(e.calibration ?? []), [e]);
  return (
    <div>
      <p>
        {e.blessed === null ? <span class="badge">no blessing recorded</span> : e.blessed ? <span class="badge status-succeeded">blessed</span> : <span class="badge status-failed">not blessed</span>}
        {e.reasons.length ? <ul>{e.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul> : null}
      </p>
      <table class="kv">
        <tbody>{e.metrics.filter((m) => m.slice === null).map((m) => <tr key={m.name}><th>{m.name}</th><td class="num">{num(m.value)}</td></tr>)}</tbody>
      </table>
      <h3>Per slice</h3>
      <SliceTable e={e} />
      <div class="chart-grid">
        {e.confusion ? <figure class="chart"><figcaption>Confusion matrix</figcaption><PlotFigure make={confusion} label="confusion matrix" /></figure> : null}
        {e.calibration?.length ? <figure class="chart"><figcaption>Calibration</figcaption><PlotFigure make={calib} label="calibration" /></figure> : null}
      </div>
    </div>
  );
}

export function EvaluationPage({ id }: { id: string }) {
  const run = useApi<RunView>(`/api/runs/${encodeURIComponent(id)}`);
  const ev = useApi<EvaluationView>(`/api/runs/${encodeURIComponent(id)}/evaluation`);
  if (run.error) return <Problem error={run.error} what="run" />;
  if (!run.data) return <Loading />;
  const v = ev.data;
  return (
    <div class="page">
      <RunHeader view={run.data} tab="evaluation" />
      {ev.error ? <Problem error={ev.error} what="the evaluation" /> : null}
      {!v ? <Loading /> : null}
      {v ? (
        <>
          <section class="card" data-testid="evaluations">
            <h2>Evaluation</h2>
            {v.evaluations.length ? (
              v.evaluations.map((x) => (
                <div key={x.artifact.id} class="kind-item">
                  <a href={`/artifacts/${x.artifact.id}`}>{x.step}.{x.port}</a>
                  {x.error ? <div class="problem">{x.error}</div> : null}
                  {x.content ? <Evaluation e={x.content} /> : null}
                </div>
              ))
            ) : (
              <Empty title="No evaluation for this run yet">Evaluation artifacts (type "evaluation": metrics overall and per slice, confusion matrix, calibration and blessing) show here once the pipeline has an evaluator step.</Empty>
            )}
          </section>
          <section class="card">
            <h2>Training curves and logged metrics</h2>
            {v.curves.length || v.scalars.length ? <MetricsBlock metrics={[...v.curves, ...v.scalars]} prefix /> : <div class="muted">No metrics were logged in this run.</div>}
          </section>
        </>
      ) : null}
    </div>
  );
}
