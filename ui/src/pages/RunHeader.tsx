/** The header of a run's pages: pipeline, id, state, timings, and tabs (Overview, Data, Evaluation). */
import type { RunView } from "../../../src/ui/api-types.js";
import { Status } from "../components/Status.js";
import { duration, time } from "../format.js";

export function RunHeader({ view, tab }: { view: RunView; tab: "overview" | "data" | "evaluation" }) {
  const r = view.run;
  const base = `/runs/${encodeURIComponent(r.id)}`;
  return (
    <div class="run-head">
      <div class="crumbs">
        <a href="/runs">Runs</a> / <a href={`/runs?pipeline=${encodeURIComponent(r.pipeline)}`}>{r.pipeline}</a>
      </div>
      <div class="page-head">
        <h1 class="mono" data-testid="run-id">
          {r.id}
        </h1>
        <Status status={r.status} />
        <span class="grow" />
        <a class="button" href={`/compare?runs=${encodeURIComponent(r.id)}`}>
          Compare with…
        </a>
      </div>
      {r.description ? <p class="muted">{r.description}</p> : null}
      <div class="facts">
        <span>started {time(r.startedAt)}</span>
        <span>duration {duration(r.durationMs)}</span>
        <span>{view.steps.filter((s) => s.cacheHit).length} of {view.steps.length} steps cached</span>
        {r.pipelineFile ? <span class="mono small">{r.pipelineFile}</span> : null}
      </div>
      {r.error ? (
        <div class="problem" role="alert">
          <strong>{r.error.code}</strong>: {r.error.message}
        </div>
      ) : null}
      <nav class="tabs">
        <a href={base} class={tab === "overview" ? "active" : ""}>
          Overview
        </a>
        <a href={`${base}/data`} class={tab === "data" ? "active" : ""}>
          Data{view.kinds.dataset + view.kinds.statistics ? ` (${view.kinds.dataset + view.kinds.statistics})` : ""}
        </a>
        <a href={`${base}/evaluation`} class={tab === "evaluation" ? "active" : ""}>
          Evaluation{view.kinds.evaluation ? ` (${view.kinds.evaluation})` : ""}
        </a>
      </nav>
    </div>
  );
}
