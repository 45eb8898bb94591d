/**
 * The runs list behind `GET /api/runs`. Plain listings (no parameter or metric filter, sorted newest first) go
 * straight to the metadata store, page by page. Anything else is answered from an in-memory index of run summaries
 * built from the store on first use and kept current incrementally (new runs, status changes, deletions), with
 * each run's final metrics loaded only when a query needs them and cached once the run has finished.
 *
 * The MetadataStore interface has no query for parameter/metric filters, date ranges or other sorts yet; when it
 * grows one, this index becomes a thin pass-through.
 * @module
 */
import { runParams } from "../compare/flatten.js";
import { runMetrics } from "../compare/run-metrics.js";
import type { MetadataStore, RunRecord, RunStatus } from "../stores/metadata/types.js";
import type { RunFacets, RunPage, RunSummary } from "./api-types.js";
import { passesMetricFilters, passesRunFilters, runOrder } from "./run-filter.js";
import { RUN_STATUSES, sortText, type RunListQuery } from "./run-query.js";

const PAGE = 500;

/** A run's summary without metrics. */
export function summaryOf(r: RunRecord): RunSummary {
  return {
    id: r.id,
    pipeline: r.pipeline,
    status: r.status,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null,
    params: runParams(r.config),
    metrics: {},
    error: r.error?.message ?? null,
  };
}

/** Last value per `step.metric` of a run. */
export async function lastMetrics(md: MetadataStore, runId: string): Promise<Record<string, number>> {
  const out: Record<string, { seq: number; value: number }> = {};
  for (const m of await runMetrics(md, runId)) {
    const key = `${m.stepName}.${m.name}`;
    const prev = out[key];
    if (!prev || m.seq >= prev.seq) out[key] = { seq: m.seq, value: m.value };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.value]));
}

/** Whether a query can be answered by the store's own listing. */
export function isPlainQuery(q: RunListQuery): boolean {
  return !q.filters.length && !q.from && !q.q && (q.statuses?.length ?? 0) <= 1 && q.sort.field === "startedAt" && q.sort.desc;
}

/** Run summaries indexed in memory (see the module doc). */
export class RunIndex {
  private readonly runs = new Map<string, RunSummary>();
  /** Runs whose metrics are loaded and final (finished runs). */
  private readonly metricsFinal = new Set<string>();
  private built = false;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly md: MetadataStore) {}

  /** Bring the index up to date with the store (one refresh at a time; callers share it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    if (!this.built) return this.rebuild();
    // New runs come first in the store's order: read pages until one holds no unknown run.
    for (let offset = 0; ; offset += 100) {
      const page = await this.md.listRuns({ limit: 100, offset });
      let fresh = 0;
      for (const r of page) {
        const known = this.runs.get(r.id);
        if (!known) fresh++;
        if (!known || known.status !== r.status || known.endedAt !== r.endedAt) this.put(r);
      }
      if (fresh === 0 || page.length < 100) break;
    }
    for (const s of [...this.runs.values()].filter((x) => x.status === "running")) {
      const r = await this.md.getRun(s.id);
      if (r) this.put(r);
    }
    if ((await this.md.countRuns()) !== this.runs.size) await this.rebuild(); // runs were deleted (gc)
  }

  private async rebuild(): Promise<void> {
    const seen = new Set<string>();
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.md.listRuns({ limit: PAGE, offset });
      for (const r of page) {
        seen.add(r.id);
        const known = this.runs.get(r.id);
        if (!known || known.status !== r.status || known.endedAt !== r.endedAt) this.put(r);
      }
      if (page.length < PAGE) break;
    }
    for (const id of [...this.runs.keys()]) {
      if (!seen.has(id)) {
        this.runs.delete(id);
        this.metricsFinal.delete(id);
      }
    }
    this.built = true;
  }

  private put(r: RunRecord): void {
    const old = this.runs.get(r.id);
    const s = summaryOf(r);
    if (old && this.metricsFinal.has(r.id)) s.metrics = old.metrics;
    if (r.status === "running") this.metricsFinal.delete(r.id);
    this.runs.set(r.id, s);
  }

  /** Load (or reuse) the final metrics of these runs. */
  async withMetrics(list: RunSummary[]): Promise<RunSummary[]> {
    for (const s of list) {
      if (this.metricsFinal.has(s.id)) continue;
      s.metrics = await lastMetrics(this.md, s.id);
      if (s.status !== "running" && this.runs.get(s.id) === s) this.metricsFinal.add(s.id);
    }
    return list;
  }

  /** One page of runs for a query. */
  async query(q: RunListQuery): Promise<RunPage> {
    if (isPlainQuery(q)) {
      const storeQuery = { ...(q.pipeline ? { pipeline: q.pipeline } : {}), ...(q.statuses?.[0] ? { status: q.statuses[0] as RunStatus } : {}), ...(q.to ? { before: q.to } : {}) };
      const [total, page] = await Promise.all([this.md.countRuns(storeQuery), this.md.listRuns({ ...storeQuery, limit: q.limit, offset: q.offset })]);
      const runs = page.map((r) => this.cached(r));
      return { total, offset: q.offset, limit: q.limit, sort: sortText(q.sort), runs: (await this.withMetrics(runs)).map(copy) };
    }
    await this.refresh();
    let list = [...this.runs.values()].filter((r) => passesRunFilters(r, q));
    const needMetrics = q.filters.some((f) => f.on === "metrics") || q.sort.field.startsWith("metrics.");
    if (needMetrics) {
      await this.withMetrics(list);
      list = list.filter((r) => passesMetricFilters(r, q));
    }
    list.sort(runOrder(q.sort));
    const page = list.slice(q.offset, q.offset + q.limit);
    return { total: list.length, offset: q.offset, limit: q.limit, sort: sortText(q.sort), runs: (await this.withMetrics(page)).map(copy) };
  }

  /** The summary held for a run record (so its metrics are cached), adding it when new. */
  private cached(r: RunRecord): RunSummary {
    const known = this.runs.get(r.id);
    if (known && known.status === r.status && known.endedAt === r.endedAt) return known;
    this.put(r);
    return this.runs.get(r.id) as RunSummary;
  }

  /** Pipelines and statuses of all runs, parameter and metric keys of the `sample` most recent runs. */
  async facets(sample = 200): Promise<RunFacets> {
    await this.refresh();
    const all = [...this.runs.values()];
    const recent = all.sort(runOrder({ field: "startedAt", desc: true })).slice(0, sample);
    await this.withMetrics(recent);
    return {
      pipelines: [...new Set(all.map((r) => r.pipeline))].sort(),
      statuses: [...RUN_STATUSES],
      params: [...new Set(recent.flatMap((r) => Object.keys(r.params)))].sort(),
      metrics: [...new Set(recent.flatMap((r) => Object.keys(r.metrics)))].sort(),
    };
  }
}

const copy = (s: RunSummary): RunSummary => ({ ...s, params: { ...s.params }, metrics: { ...s.metrics } });
