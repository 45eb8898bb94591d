/** Matching and ordering runs for the runs list (see run-query.ts for the syntax). @module */
import type { JsonValue } from "../core/hash.js";
import type { RunSummary } from "./api-types.js";
import type { RunListQuery, ValueFilter } from "./run-query.js";

const text = (v: JsonValue): string => (typeof v === "string" ? v : JSON.stringify(v));

/** Whether a value passes a filter: numbers compare as numbers when the filter value is one, else as text. */
export function valueMatches(v: JsonValue | undefined, f: ValueFilter): boolean {
  if (v === undefined) return false;
  if (f.op === "~") return text(v).toLowerCase().includes(f.value.toLowerCase());
  const n = Number(f.value);
  if (typeof v === "number" && f.value.trim() !== "" && !Number.isNaN(n)) {
    switch (f.op) {
      case "=": return v === n;
      case "!=": return v !== n;
      case ">": return v > n;
      case ">=": return v >= n;
      case "<": return v < n;
      case "<=": return v <= n;
    }
  }
  const s = text(v);
  switch (f.op) {
    case "=": return s === f.value;
    case "!=": return s !== f.value;
    case ">": return s > f.value;
    case ">=": return s >= f.value;
    case "<": return s < f.value;
    case "<=": return s <= f.value;
  }
}

/** Whether a run passes the query's cheap filters (everything but metric filters). */
export function passesRunFilters(r: RunSummary, q: RunListQuery): boolean {
  if (q.pipeline && r.pipeline !== q.pipeline) return false;
  if (q.statuses && !q.statuses.includes(r.status as never)) return false;
  if (q.from && r.startedAt < q.from) return false;
  if (q.to && r.startedAt >= q.to) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (!r.id.toLowerCase().includes(needle) && !r.pipeline.toLowerCase().includes(needle)) return false;
  }
  return q.filters.every((f) => f.on !== "params" || valueMatches(r.params[f.key], f));
}

/** Whether a run passes the query's metric filters (its metrics must be loaded). */
export function passesMetricFilters(r: RunSummary, q: RunListQuery): boolean {
  return q.filters.every((f) => f.on !== "metrics" || valueMatches(r.metrics[f.key], f));
}

function sortValue(r: RunSummary, field: string): JsonValue | undefined {
  if (field.startsWith("params.")) return r.params[field.slice(7)];
  if (field.startsWith("metrics.")) return r.metrics[field.slice(8)];
  switch (field) {
    case "duration": return r.durationMs ?? undefined;
    case "endedAt": return r.endedAt ?? undefined;
    case "pipeline": return r.pipeline;
    case "status": return r.status;
    case "id": return r.id;
    default: return r.startedAt;
  }
}

/** A comparator for the query's sort; runs without a value come last either way; ties newest first. */
export function runOrder(sort: RunListQuery["sort"]): (a: RunSummary, b: RunSummary) => number {
  return (a, b) => {
    const x = sortValue(a, sort.field);
    const y = sortValue(b, sort.field);
    if (x === undefined || y === undefined) {
      if (x !== y) return x === undefined ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === "number" && typeof y === "number" ? x - y : text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0;
      if (c !== 0) return sort.desc ? -c : c;
    }
    return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  };
}
