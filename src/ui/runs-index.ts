/**
 * The runs list behind `GET /api/runs` and `/api/runs/facets`: every query, including parameter and metric filters
 * and sorts, is answered by the metadata store (`searchRuns`, over its indexed parameter and last-metric values),
 * one page at a time; only the page's runs get their metrics loaded. Nothing is held in memory between requests,
 * so the first request over 10,000 runs costs what any other does.
 * @module
 */
import { runParams } from "../compare/flatten.js";
import type { MetadataStore, RunRecord, RunSearch } from "../stores/metadata/types.js";
import type { RunFacets, RunPage, RunSummary } from "./api-types.js";
import { RUN_STATUSES, sortText, type RunListQuery } from "./run-query.js";

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

/** The store search of a runs-list query. */
export function searchOf(q: RunListQuery): RunSearch {
  return {
    ...(q.pipeline ? { pipeline: q.pipeline } : {}),
    ...(q.statuses?.length ? { statuses: q.statuses } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { before: q.to } : {}),
    ...(q.q ? { text: q.q } : {}),
    params: q.filters.filter((f) => f.on === "params").map(({ key, op, value }) => ({ key, op, value })),
    metrics: q.filters.filter((f) => f.on === "metrics").map(({ key, op, value }) => ({ key, op, value })),
    sort: q.sort,
    limit: q.limit,
    offset: q.offset,
  };
}

/** Runs-list queries answered by the metadata store (see the module doc). */
export class RunIndex {
  constructor(private readonly md: MetadataStore) {}

  /** One page of runs for a query, with each run's last metric values. */
  async query(q: RunListQuery): Promise<RunPage> {
    const { total, runs } = await this.md.searchRuns(searchOf(q));
    const metrics = await this.md.lastMetricsOfRuns(runs.map((r) => r.id));
    return {
      total,
      offset: q.offset,
      limit: q.limit,
      sort: sortText(q.sort),
      runs: runs.map((r) => ({ ...summaryOf(r), metrics: metrics[r.id] ?? {} })),
    };
  }

  /** Pipelines and statuses of all runs, parameter and metric keys of the `sample` most recent runs. */
  async facets(sample = 200): Promise<RunFacets> {
    const keys = await this.md.runFacetKeys(sample);
    return { pipelines: keys.pipelines, statuses: [...RUN_STATUSES], params: keys.params, metrics: keys.metrics };
  }
}
