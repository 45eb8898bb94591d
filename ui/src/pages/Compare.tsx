/**
 * The Compare page: choose runs; parameter diff; code and dataset versions; metrics with the best marked; bars
 * per metric; training curves overlaid; parallel coordinates of hyperparameters against a chosen metric.
 */
import { useCallback, useMemo, useState } from "preact/hooks";
import type { CompareView, DiffRow, JsonValue, RunPage } from "../../../src/ui/api-types.js";
import { useApi } from "../api.js";
import { Empty } from "../components/Empty.js";
import { PlotFigure } from "../components/Plot.js";
import { Loading, Problem } from "../components/Problem.js";
import { Status } from "../components/Status.js";
import { lineChart, metricBars, parallelCoordinates } from "../components/charts.js";
import { num, shortHash, shortId, time, value } from "../format.js";
import { navigate } from "../router.js";

function Chooser({ chosen }: { chosen: string[] }) {
  const recent = useApi<RunPage>("/api/runs?limit=30");
  const set = (ids: string[]): void => navigate(ids.length ? `/compare?runs=${ids.join(",")}` : "/compare", true);
  return (
    <details class="card chooser" open={chosen.length < 2}>
      <summary>
        <strong>Runs to compare</strong> <span class="muted">({chosen.length} chosen; pick two or more)</span>
      </summary>
      {recent.data ? (
        <table class="runs compact">
          <tbody>
            {recent.data.runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`compare ${r.id}`}
                    checked={chosen.includes(r.id)}
                    onChange={() => set(chosen.includes(r.id) ? chosen.filter((x) => x !== r.id) : [...chosen, r.id])}
                  />
                </td>
                <td class="mono">{r.id}</td>
                <td>{r.pipeline}</td>
                <td>
                  <Status status={r.status} />
                </td>
                <td>{time(r.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Loading />
      )}
    </details>
  );
}

function Diff<V>({ title, rows, labels, fmt, testid }: { title: string; rows: DiffRow<V>[]; labels: string[]; fmt: (v: V | null) => string; testid: string }) {
  const [all, setAll] = useState(false);
  const shown = rows.filter((r) => all || r.differs);
  return (
    <section class="card" data-testid={testid}>
      <div class="page-head">
        <h2>{title}</h2>
        <span class="muted small">
          {rows.filter((r) => r.differs).length} differ · {rows.filter((r) => !r.differs).length} same
        </span>
        <span class="grow" />
        <label class="small">
          <input type="checkbox" checked={all} onChange={() => setAll(!all)} /> show identical
        </label>
      </div>
      {shown.length ? (
        <table class="runs diff">
          <thead>
            <tr>
              <th />
              {labels.map((l) => <th key={l} class="mono">{l}</th>)}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key} class={r.differs ? "differs" : ""} data-key={r.key}>
                <th>{r.key}</th>
                {r.values.map((v, i) => <td key={i} class="num">{fmt(v)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div class="muted">{rows.length ? "All identical." : "None."}</div>
      )}
    </section>
  );
}

function Bars({ c, labels }: { c: CompareView; labels: string[] }) {
  const overall = c.metrics.filter((m) => m.slice === null && m.values.filter((v) => v !== null).length > 0);
  return (
    <div class="chart-grid">
      {overall.map((m) => (
        <BarChart key={m.key} title={`${m.key} ${m.direction === "min" ? "↓" : "↑"}`} rows={m.values.flatMap((v, i) => (v === null ? [] : [{ label: labels[i] as string, value: v, best: m.best.includes(i) }]))} />
      ))}
    </div>
  );
}

function BarChart({ title, rows }: { title: string; rows: { label: string; value: number; best: boolean }[] }) {
  const make = useCallback(() => metricBars(rows, { title }), [rows, title]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <PlotFigure make={make} label={`bars of ${title}`} />
    </figure>
  );
}

function Curves({ c, labels }: { c: CompareView; labels: string[] }) {
  return (
    <div class="chart-grid">
      {c.series.map((s) => (
        <CurveChart key={s.key} title={s.key} series={s.points.map((points, i) => ({ label: labels[i] as string, points }))} />
      ))}
    </div>
  );
}

function CurveChart({ title, series }: { title: string; series: { label: string; points: { x: number; value: number }[] }[] }) {
  const make = useCallback(() => lineChart(series, { y: title, width: 520 }), [series, title]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <PlotFigure make={make} label={`curves of ${title}`} />
    </figure>
  );
}

function Parallel({ c, labels }: { c: CompareView; labels: string[] }) {
  const metrics = c.metrics.filter((m) => m.slice === null);
  const [metric, setMetric] = useState(metrics.find((m) => /accuracy|auc|f1/.test(m.name))?.key ?? metrics[0]?.key ?? "");
  const dims = useMemo(() => c.params.filter((p) => p.differs && p.values.every((v) => v === null || typeof v !== "object")).map((p) => p.key), [c]);
  const row = metrics.find((m) => m.key === metric);
  const make = useCallback(
    () =>
      parallelCoordinates(
        c.runs.map((_, i) => ({
          label: labels[i] as string,
          dims: { ...Object.fromEntries(dims.map((d) => [d, (c.params.find((p) => p.key === d)?.values[i] ?? null) as number | string | null])), ...(row ? { [row.key]: row.values[i] ?? null } : {}) },
          metric: row?.values[i] ?? null,
        })),
        [...dims, ...(row ? [row.key] : [])],
        metric,
      ),
    [c, dims, row, metric, labels],
  );
  if (!dims.length) return <div class="muted">No hyperparameter differs between these runs.</div>;
  return (
    <div>
      <label class="small">
        colour by{" "}
        <select aria-label="metric for parallel coordinates" value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value)}>
          {metrics.map((m) => <option key={m.key}>{m.key}</option>)}
        </select>
      </label>
      <PlotFigure make={make} label="parallel coordinates" />
    </div>
  );
}

export function ComparePage({ query }: { query: URLSearchParams }) {
  const chosen = (query.get("runs") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const c = useApi<CompareView>(chosen.length >= 2 ? `/api/compare?runs=${chosen.map(encodeURIComponent).join(",")}` : null);
  const labels = useMemo(() => (c.data?.runs ?? []).map((r) => shortId(r.id)), [c.data]);
  const slices = c.data?.metrics.filter((m) => m.slice !== null) ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Compare runs</h1>
      </div>
      <Chooser chosen={chosen} />
      {chosen.length < 2 ? <Empty title="Choose at least two runs">Tick runs above, or select them on the Runs page and press Compare.</Empty> : null}
      {c.error ? <Problem error={c.error} what="the comparison" /> : null}
      {chosen.length >= 2 && !c.data && !c.error ? <Loading /> : null}
      {c.data ? (
        <>
          <section class="card">
            <table class="runs diff">
              <thead>
                <tr>
                  <th />
                  {c.data.runs.map((r, i) => (
                    <th key={r.id} class="mono">
                      <a href={`/runs/${r.id}`}>{labels[i]}</a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr><th>run</th>{c.data.runs.map((r) => <td key={r.id} class="mono small">{r.id}</td>)}</tr>
                <tr><th>pipeline</th>{c.data.runs.map((r) => <td key={r.id}>{r.pipeline}</td>)}</tr>
                <tr><th>status</th>{c.data.runs.map((r) => <td key={r.id}><Status status={r.status} /></td>)}</tr>
                <tr><th>started</th>{c.data.runs.map((r) => <td key={r.id}>{time(r.startedAt)}</td>)}</tr>
              </tbody>
            </table>
          </section>
          <Diff<JsonValue> title="Parameters" rows={c.data.params} labels={labels} fmt={(v) => value(v ?? undefined)} testid="param-diff" />
          <section class="card" data-testid="metrics">
            <h2>Metrics</h2>
            <p class="muted small">★ best per metric: lower is better for losses and errors (↓), higher for everything else (↑).</p>
            {c.data.metrics.filter((m) => m.slice === null).length ? (
              <table class="runs diff">
                <thead>
                  <tr><th />{labels.map((l) => <th key={l} class="mono">{l}</th>)}</tr>
                </thead>
                <tbody>
                  {c.data.metrics.filter((m) => m.slice === null).map((m) => (
                    <tr key={m.key}>
                      <th>{m.key} {m.direction === "min" ? "↓" : "↑"}</th>
                      {m.values.map((v, i) => <td key={i} class={`num${m.best.includes(i) ? " best" : ""}`}>{num(v)}{m.best.includes(i) ? " ★" : ""}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <div class="muted">No metrics logged.</div>
            )}
            <Bars c={c.data} labels={labels} />
          </section>
          <section class="card">
            <h2>Slice metrics</h2>
            {slices.length ? (
              <table class="runs diff">
                <thead><tr><th>metric</th><th>slice</th>{labels.map((l) => <th key={l} class="mono">{l}</th>)}</tr></thead>
                <tbody>
                  {slices.map((m) => (
                    <tr key={m.key}><th>{m.step}.{m.name}</th><td>{m.slice}</td>{m.values.map((v, i) => <td key={i} class={`num${m.best.includes(i) ? " best" : ""}`}>{num(v)}</td>)}</tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <div class="muted">No slice metrics for these runs yet: they come from evaluation artifacts.</div>
            )}
          </section>
          <section class="card">
            <h2>Training curves</h2>
            {c.data.series.length ? <Curves c={c.data} labels={labels} /> : <div class="muted">No metric was logged more than once.</div>}
          </section>
          <section class="card" data-testid="parallel">
            <h2>Hyperparameters against a metric</h2>
            <Parallel c={c.data} labels={labels} />
          </section>
          <Diff<string> title="Code versions" rows={c.data.code} labels={labels} fmt={(v) => (v === null ? "–" : shortHash(v))} testid="code-diff" />
          <Diff<string> title="Dataset versions" rows={c.data.datasets} labels={labels} fmt={(v) => (v === null ? "–" : shortHash(v))} testid="data-diff" />
        </>
      ) : null}
    </div>
  );
}
