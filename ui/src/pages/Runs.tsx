/** The Runs page: every run of every pipeline; filters, sort and paging happen on the server. */
import { useMemo, useState } from "preact/hooks";
import type { RunFacets, RunPage, RunSummary } from "../../../src/ui/api-types.js";
import { useApi, useLive } from "../api.js";
import { Empty } from "../components/Empty.js";
import { Loading, Problem } from "../components/Problem.js";
import { Status } from "../components/Status.js";
import { duration, num, time, value } from "../format.js";
import { navigate } from "../router.js";

const PAGE = 50;
const OPS = ["=", "!=", ">", ">=", "<", "<=", "~"];

/** The runs URL for a changed query (offset resets unless given). */
function withQuery(query: URLSearchParams, change: Record<string, string | string[] | null>): string {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(change)) {
    q.delete(k);
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (v !== null && v !== "") q.set(k, v);
  }
  if (!("offset" in change)) q.delete("offset");
  const s = q.toString();
  return `/runs${s ? `?${s}` : ""}`;
}

function FilterBuilder({ facets, onAdd }: { facets: RunFacets | undefined; onAdd: (f: string) => void }) {
  const keys = useMemo(() => [...(facets?.metrics ?? []).map((k) => `metrics.${k}`), ...(facets?.params ?? []).map((k) => `params.${k}`)], [facets]);
  const [key, setKey] = useState("");
  const [op, setOp] = useState(">=");
  const [val, setVal] = useState("");
  const chosen = key || keys[0] || "";
  return (
    <form
      class="filter-builder"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen && val !== "") onAdd(`${chosen}${op}${val}`);
        setVal("");
      }}
    >
      <select aria-label="filter key" value={chosen} onChange={(e) => setKey((e.target as HTMLSelectElement).value)}>
        {keys.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <select aria-label="filter operator" value={op} onChange={(e) => setOp((e.target as HTMLSelectElement).value)}>
        {OPS.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
      <input aria-label="filter value" placeholder="value" size={8} value={val} onInput={(e) => setVal((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={!chosen}>
        Add filter
      </button>
    </form>
  );
}

/** Parameter keys whose values differ between the runs shown (at most `max`). */
function varyingParams(runs: RunSummary[], max: number): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  return keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1).slice(0, max);
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const api = `/api/runs?${new URLSearchParams([...query.entries(), ["limit", String(PAGE)]]).toString()}`;
  const runs = useApi<RunPage>(api);
  const facets = useApi<RunFacets>("/api/runs/facets");
  const [selected, setSelected] = useState<string[]>([]);
  useLive("/api/events/runs", () => {
    runs.reload();
    facets.reload();
  });
  const go = (change: Record<string, string | string[] | null>): void => navigate(withQuery(query, change));
  const sort = query.get("sort") ?? "-startedAt";
  const filters = query.getAll("filter");
  const page = runs.data;
  const metricCols = (facets.data?.metrics ?? []).slice(0, 4);
  const paramCols = page ? varyingParams(page.runs, 3) : [];
  const header = (label: string, field: string) => {
    const active = sort === field || sort === `-${field}`;
    const next = sort === `-${field}` ? field : `-${field}`;
    return (
      <th class={`sortable${active ? " active" : ""}`} onClick={() => go({ sort: next })} title={`sort by ${field}`}>
        {label}
        {active ? (sort.startsWith("-") ? " ▼" : " ▲") : ""}
      </th>
    );
  };
  const toggle = (id: string): void => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  return (
    <div class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <span class="muted">{page ? `${page.total} run${page.total === 1 ? "" : "s"}` : ""}</span>
        <span class="grow" />
        <button data-testid="compare-selected" disabled={selected.length < 2} onClick={() => navigate(`/compare?runs=${selected.join(",")}`)}>
          Compare {selected.length || ""} selected
        </button>
      </div>
      <div class="filters">
        <select aria-label="pipeline" value={query.get("pipeline") ?? ""} onChange={(e) => go({ pipeline: (e.target as HTMLSelectElement).value })}>
          <option value="">all pipelines</option>
          {(facets.data?.pipelines ?? []).map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <select aria-label="status" value={query.get("status") ?? ""} onChange={(e) => go({ status: (e.target as HTMLSelectElement).value })}>
          <option value="">any status</option>
          {(facets.data?.statuses ?? []).map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <label>
          from <input type="date" aria-label="from" value={query.get("from") ?? ""} onChange={(e) => go({ from: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          to <input type="date" aria-label="to" value={query.get("to") ?? ""} onChange={(e) => go({ to: (e.target as HTMLInputElement).value })} />
        </label>
        <input type="search" aria-label="search" placeholder="run id or pipeline" value={query.get("q") ?? ""} onChange={(e) => go({ q: (e.target as HTMLInputElement).value })} />
        <FilterBuilder facets={facets.data} onAdd={(f) => go({ filter: [...filters, f] })} />
      </div>
      {filters.length ? (
        <div class="chips">
          {filters.map((f) => (
            <span class="chip" key={f}>
              {f}
              <button aria-label={`remove filter ${f}`} onClick={() => go({ filter: filters.filter((x) => x !== f) })}>
                ×
              </button>
            </span>
          ))}
        </div>
      ) : null}
      {runs.error ? <Problem error={runs.error} what="runs" /> : null}
      {!page && runs.loading ? <Loading /> : null}
      {page && page.total === 0 ? (
        <Empty title={filters.length || query.toString() ? "No runs match these filters" : "No runs yet"}>
          {filters.length || query.toString() ? <a href="/runs">clear the filters</a> : <>Run a pipeline: <code>npx koan run pipeline.ts</code></>}
        </Empty>
      ) : null}
      {page && page.total > 0 ? (
        <>
          <table class="runs" data-testid="runs-table">
            <thead>
              <tr>
                <th />
                {header("Run", "id")}
                {header("Pipeline", "pipeline")}
                {header("Status", "status")}
                {header("Started", "startedAt")}
                {header("Duration", "duration")}
                {paramCols.map((k) => header(k, `params.${k}`))}
                {metricCols.map((k) => header(k, `metrics.${k}`))}
              </tr>
            </thead>
            <tbody>
              {page.runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <input type="checkbox" aria-label={`select ${r.id}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />
                  </td>
                  <td class="mono">
                    <a href={`/runs/${r.id}`}>{r.id}</a>
                  </td>
                  <td>{r.pipeline}</td>
                  <td>
                    <Status status={r.status} />
                  </td>
                  <td class="nowrap">{time(r.startedAt)}</td>
                  <td class="num">{duration(r.durationMs)}</td>
                  {paramCols.map((k) => (
                    <td key={k} class="num">
                      {value(r.params[k])}
                    </td>
                  ))}
                  {metricCols.map((k) => (
                    <td key={k} class="num">
                      {num(r.metrics[k])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div class="pager">
            <button disabled={page.offset === 0} onClick={() => go({ offset: String(Math.max(0, page.offset - PAGE)) })}>
              ← Newer
            </button>
            <span class="muted">
              {page.offset + 1}–{page.offset + page.runs.length} of {page.total}
            </span>
            <button disabled={page.offset + page.runs.length >= page.total} onClick={() => go({ offset: String(page.offset + PAGE) })}>
              Older →
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
