/** The Data page of a run: datasets (splits, features) and statistics per split in a Facets-like overview. */
import { useCallback } from "preact/hooks";
import type { DataView, DatasetStatistics, FeatureStatistics, RunView } from "../../../src/ui/api-types.js";
import { useApi } from "../api.js";
import { Empty } from "../components/Empty.js";
import { PlotFigure } from "../components/Plot.js";
import { Loading, Problem } from "../components/Problem.js";
import { histogram, topValues } from "../components/charts.js";
import { num } from "../format.js";
import { RunHeader } from "./RunHeader.js";

const pct = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(1)}%` : "–");

function Hist({ f }: { f: FeatureStatistics }) {
  const make = useCallback(() => histogram(f.numStats?.histograms.find((h) => h.type === "STANDARD")?.buckets ?? []), [f]);
  return <PlotFigure make={make} label={`histogram of ${f.name}`} />;
}

function Top({ f }: { f: FeatureStatistics }) {
  const make = useCallback(() => topValues(f.stringStats?.topValues ?? []), [f]);
  return <PlotFigure make={make} label={`top values of ${f.name}`} />;
}

function SplitStats({ s }: { s: DatasetStatistics }) {
  const numeric = s.features.filter((f) => f.numStats);
  const strings = s.features.filter((f) => f.stringStats);
  const common = (f: FeatureStatistics) => (f.numStats ?? f.stringStats ?? f.bytesStats ?? f.structStats)?.commonStats;
  return (
    <div class="split-stats" data-split={s.name}>
      <h3>
        {s.name || "(unnamed)"} <span class="muted small">{s.numExamples} examples · {s.features.length} features</span>
      </h3>
      {numeric.length ? (
        <table class="runs stats">
          <thead>
            <tr><th>numeric feature</th><th>count</th><th>missing</th><th>mean</th><th>std dev</th><th>zeros</th><th>min</th><th>median</th><th>max</th><th>histogram</th></tr>
          </thead>
          <tbody>
            {numeric.map((f) => {
              const n = f.numStats!;
              const c = n.commonStats;
              return (
                <tr key={f.name}>
                  <th>{f.name} <span class="muted small">{f.type}</span></th>
                  <td class="num">{c.numNonMissing}</td>
                  <td class={`num${c.numMissing ? " warn" : ""}`}>{pct(c.numMissing, s.numExamples)}</td>
                  <td class="num">{num(n.mean)}</td>
                  <td class="num">{num(n.stdDev)}</td>
                  <td class="num">{pct(n.numZeros, c.totNumValues)}</td>
                  <td class="num">{num(n.min)}</td>
                  <td class="num">{num(n.median)}</td>
                  <td class="num">{num(n.max)}</td>
                  <td><Hist f={f} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {strings.length ? (
        <table class="runs stats">
          <thead>
            <tr><th>categorical feature</th><th>count</th><th>missing</th><th>unique</th><th>avg length</th><th>top values</th></tr>
          </thead>
          <tbody>
            {strings.map((f) => {
              const st = f.stringStats!;
              return (
                <tr key={f.name}>
                  <th>{f.name} <span class="muted small">{f.type}</span></th>
                  <td class="num">{st.commonStats.numNonMissing}</td>
                  <td class={`num${st.commonStats.numMissing ? " warn" : ""}`}>{pct(st.commonStats.numMissing, s.numExamples)}</td>
                  <td class="num">{st.unique}</td>
                  <td class="num">{num(st.avgLength)}</td>
                  <td><Top f={f} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {s.features.filter((f) => !f.numStats && !f.stringStats).map((f) => (
        <div key={f.name} class="muted small">{f.name}: {f.type} ({common(f)?.numNonMissing ?? 0} present)</div>
      ))}
    </div>
  );
}

export function DataPage({ id }: { id: string }) {
  const run = useApi<RunView>(`/api/runs/${encodeURIComponent(id)}`);
  const data = useApi<DataView>(`/api/runs/${encodeURIComponent(id)}/data`);
  if (run.error) return <Problem error={run.error} what="run" />;
  if (!run.data) return <Loading />;
  const d = data.data;
  return (
    <div class="page">
      <RunHeader view={run.data} tab="data" />
      {data.error ? <Problem error={data.error} what="the run's data" /> : null}
      {!d ? <Loading /> : null}
      {d ? (
        <>
          <section class="card" data-testid="datasets">
            <h2>Datasets</h2>
            {d.datasets.length ? (
              d.datasets.map((x) => (
                <div key={x.artifact.id} class="kind-item">
                  <a href={`/artifacts/${x.artifact.id}`}>{x.step}.{x.port}</a>
                  {x.error ? <div class="problem">{x.error}</div> : null}
                  {x.content ? (
                    <table class="kv">
                      <tbody>
                        {x.content.splits.map((s) => <tr key={s.name}><th>{s.name}</th><td>{s.rows ?? "?"} rows</td></tr>)}
                        <tr><th>features</th><td>{Object.entries(x.content.features).map(([k, v]) => `${k} (${v})`).join(", ") || "–"}</td></tr>
                      </tbody>
                    </table>
                  ) : null}
                </div>
              ))
            ) : (
              <Empty title="No datasets in this run yet">Artifacts of type "dataset" (TFRecord splits written by a datasource step) show here with their splits and features.</Empty>
            )}
          </section>
          <section class="card" data-testid="statistics">
            <h2>Statistics</h2>
            {d.statistics.length ? (
              d.statistics.map((x) => (
                <div key={x.artifact.id} class="kind-item">
                  <div>
                    <a href={`/artifacts/${x.artifact.id}`}>{x.step}.{x.port}</a>
                  </div>
                  {x.error ? <div class="problem">{x.error}</div> : null}
                  {x.content?.anomalies.length ? (
                    <div class="problem">
                      <strong>{x.content.anomalies.length} anomal{x.content.anomalies.length === 1 ? "y" : "ies"}</strong>
                      <ul>{x.content.anomalies.map((a, i) => <li key={i}><strong>{a.feature}</strong> ({a.severity}): {a.description}</li>)}</ul>
                    </div>
                  ) : null}
                  {x.content?.splits.map((s) => <SplitStats key={s.name} s={s} />)}
                </div>
              ))
            ) : (
              <Empty title="No statistics for this run yet">Statistics artifacts (type "statistics": per-split counts, missing values, histograms and top values) show here as an overview once the pipeline computes them.</Empty>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
