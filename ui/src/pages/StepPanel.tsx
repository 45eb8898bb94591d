/** The panel of one step: state, parameters, inputs and outputs (links), error, metrics and log. */
import { useCallback, useEffect, useState } from "preact/hooks";
import type { LogAppendEvent, LogView, MetricView, StepView } from "../../../src/ui/api-types.js";
import { useApi } from "../api.js";
import { flatten, KeyValues } from "../components/Json.js";
import { PlotFigure } from "../components/Plot.js";
import { Status } from "../components/Status.js";
import { lineChart } from "../components/charts.js";
import { bytes, duration, num, shortHash, time } from "../format.js";

/** Charts for metrics logged more than once, a table for the rest. */
export function MetricsBlock({ metrics, prefix = false }: { metrics: MetricView[]; prefix?: boolean }) {
  const curves = metrics.filter((m) => m.points.length > 1);
  const scalars = metrics.filter((m) => m.points.length <= 1);
  const name = (m: MetricView): string => (prefix ? `${m.step}.${m.name}` : m.name);
  return (
    <div class="metrics-block">
      {curves.map((m) => (
        <Curve key={`${m.step}.${m.name}`} metric={m} title={name(m)} />
      ))}
      {scalars.length ? (
        <table class="kv">
          <tbody>
            {scalars.map((m) => (
              <tr key={`${m.step}.${m.name}`}>
                <th>{name(m)}</th>
                <td class="num">
                  {num(m.last)}
                  {m.cached ? <span class="muted small"> (cached)</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Curve({ metric, title }: { metric: MetricView; title: string }) {
  const make = useCallback(() => lineChart([{ label: title, points: metric.points }], { y: title, width: 460, height: 200 }), [metric, title]);
  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted">last {num(metric.last)}</span>
      </figcaption>
      <PlotFigure make={make} label={`chart of ${title}`} />
    </figure>
  );
}

function Log({ runId, step }: { runId: string; step: string }) {
  const base = `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/log`;
  const log = useApi<LogView>(base);
  const [tail, setTail] = useState<{ text: string; replaced: boolean }>({ text: "", replaced: false });
  const live = log.data?.live === true;
  const { reload } = log;
  // A running step's log grows as it is written: append what the server streams, then fetch the stored log.
  useEffect(() => {
    if (!live || typeof EventSource === "undefined") return;
    setTail({ text: "", replaced: false });
    const es = new EventSource(`${base}/events`);
    let first = true;
    es.addEventListener("append", (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as LogAppendEvent;
      // The first event repeats what the page loaded: show it in place of that text.
      setTail((t) => (ev.reset || first ? { text: ev.text, replaced: true } : { text: t.text + ev.text, replaced: t.replaced }));
      first = false;
    });
    es.addEventListener("end", () => {
      es.close();
      reload();
    });
    return () => es.close();
  }, [live, base, reload]);
  if (log.error) return <div class="problem">{log.error.message}</div>;
  if (!log.data) return <div class="muted">Loading log…</div>;
  const text = live && tail.replaced ? tail.text : log.data.text + (live ? tail.text : "");
  if (!text) return <div class="muted">{log.data.note ?? "empty log"}</div>;
  return (
    <pre class="log" data-testid="step-log" data-live={live ? "true" : undefined}>
      {live ? "● live\n" : ""}
      {log.data.truncated ? `… (last ${bytes(log.data.text.length)} of ${bytes(log.data.size)})\n` : ""}
      {text}
    </pre>
  );
}

export function StepPanel({ runId, step }: { runId: string; step: StepView }) {
  return (
    <section class="step-panel" data-testid="step-panel" data-step={step.name}>
      <div class="page-head">
        <h2>{step.name}</h2>
        <Status status={step.status} cacheHit={step.cacheHit} />
      </div>
      <div class="facts">
        <span>step {step.stepType}</span>
        <span>duration {duration(step.durationMs)}</span>
        <span>started {time(step.startedAt)}</span>
        {step.attempts > 1 ? <span>{step.attempts} attempts</span> : null}
        <span class="mono" title={step.codeHash}>
          code {shortHash(step.codeHash)}
        </span>
      </div>
      {step.cacheHit && step.cachedFrom ? <p class="muted small">Reused the outputs of step run {step.cachedFrom}.</p> : null}
      {step.error ? (
        <div class="problem" role="alert">
          <strong>{step.error.code}</strong>: {step.error.message}
          {step.error.hint ? <div class="muted">{step.error.hint}</div> : null}
          {step.error.stack ? <pre class="stack">{step.error.stack}</pre> : null}
        </div>
      ) : null}
      <h3>Parameters</h3>
      <KeyValues entries={flatten(step.params)} empty="no parameters" />
      <div class="ports">
        <div>
          <h3>Inputs</h3>
          {step.inputs.length ? (
            <ul>
              {step.inputs.map((i) => (
                <li key={i.port}>
                  <strong>{i.port}</strong>
                  {i.from ? <span class="muted"> ← {i.from.step}.{i.from.port}</span> : null}{" "}
                  {i.artifact ? <a href={`/artifacts/${i.artifact.id}`}>{i.artifact.type} {shortHash(i.artifact.contentHash).slice(0, 8)}</a> : <span class="muted">not yet</span>}
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted">none (a source step)</span>
          )}
        </div>
        <div>
          <h3>Outputs</h3>
          <ul>
            {step.outputs.map((o) => (
              <li key={o.port}>
                <strong>{o.port}</strong>{" "}
                {o.artifact ? (
                  <a href={`/artifacts/${o.artifact.id}`} data-testid={`output-${o.port}`}>
                    {o.artifact.type} {shortHash(o.artifact.contentHash).slice(0, 8)} · {bytes(o.artifact.size)}
                  </a>
                ) : (
                  <span class="muted">not yet</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
      {step.metrics.length ? (
        <>
          <h3>Metrics</h3>
          <MetricsBlock metrics={step.metrics} />
        </>
      ) : null}
      <h3>Log</h3>
      {step.id ? <Log runId={runId} step={step.name} /> : <div class="muted">not started</div>}
    </section>
  );
}
