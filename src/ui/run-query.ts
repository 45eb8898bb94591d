/**
 * The runs list query of `GET /api/runs`: filters, sort and page, parsed from the URL.
 *
 * - `pipeline=<name>`; `status=<s>[,<s>...]`; `from=<date>`, `to=<date>` (on the start time; a bare date in `to`
 *   includes that whole day); `q=<text>` (in the id or pipeline name);
 * - `filter=<params|metrics>.<key><op><value>` (repeatable), `op` one of `=`, `!=`, `>`, `>=`, `<`, `<=`, `~`
 *   (contains), e.g. `filter=params.train.epochs>=50`, `filter=metrics.evaluate.accuracy>0.9`;
 * - `sort=[-]<field>` with field `startedAt`, `endedAt`, `duration`, `pipeline`, `status`, `id`, `params.<key>` or
 *   `metrics.<key>` (`-` for descending; default `-startedAt`);
 * - `limit` (1..500, default 50) and `offset`.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { RunStatus } from "../stores/metadata/types.js";
import { isSecretKey } from "./redact.js";

/** Run states a filter can name. */
export const RUN_STATUSES: readonly RunStatus[] = ["running", "succeeded", "failed", "cancelled", "interrupted"];

/** Comparison operators of a filter. */
export type FilterOp = "=" | "!=" | ">" | ">=" | "<" | "<=" | "~";

/** A filter on a parameter or metric value. */
export interface ValueFilter {
  on: "params" | "metrics";
  key: string;
  op: FilterOp;
  value: string;
}

/** A parsed runs query. */
export interface RunListQuery {
  pipeline?: string;
  statuses?: RunStatus[];
  /** ISO time: runs started at or after it. */
  from?: string;
  /** ISO time: runs started before it. */
  to?: string;
  q?: string;
  filters: ValueFilter[];
  sort: { field: string; desc: boolean };
  limit: number;
  offset: number;
}

const OPS: readonly FilterOp[] = [">=", "<=", "!=", "=", ">", "<", "~"];
const SORT_FIELDS = new Set(["startedAt", "endedAt", "duration", "pipeline", "status", "id"]);
const MAX_LIMIT = 500;

function date(name: string, text: string, endOfDay: boolean): string {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new KoanError("USAGE", `${name} "${text}" is not a date`, { hint: "use e.g. 2026-01-31 or 2026-01-31T12:00:00Z" });
  return new Date(endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(text) ? t + 86_400_000 : t).toISOString();
}

function int(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new KoanError("USAGE", `${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** Parse one `filter=` value. */
export function parseFilter(text: string): ValueFilter {
  const m = /^(params|metrics)\.(.+)$/.exec(text);
  const bad = (): never => {
    throw new KoanError("USAGE", `filter "${text}" is not <params|metrics>.<key><op><value>`, { hint: "e.g. params.train.epochs>=50 or metrics.evaluate.accuracy>0.9 (ops: = != > >= < <= ~)" });
  };
  if (!m) return bad();
  const rest = m[2] as string;
  let at = -1;
  let op: FilterOp | undefined;
  for (let i = 0; i < rest.length && op === undefined; i++) {
    op = OPS.find((o) => rest.startsWith(o, i));
    if (op) at = i;
  }
  if (op === undefined || at <= 0) return bad();
  const value = rest.slice(at + op.length);
  const key = rest.slice(0, at);
  if (isSecretKey(key.split(".").pop() ?? key)) throw new KoanError("USAGE", `cannot filter on "${key}": it names a secret`);
  if (m[1] === "metrics" && op !== "~" && Number.isNaN(Number(value))) throw new KoanError("USAGE", `filter "${text}": metric values are numbers`);
  return { on: m[1] as "params" | "metrics", key, op, value };
}

/** Parse a sort (`-startedAt`, `metrics.evaluate.accuracy`, ...). */
export function parseSort(text: string | undefined): RunListQuery["sort"] {
  const s = text || "-startedAt";
  const desc = s.startsWith("-");
  const field = desc ? s.slice(1) : s;
  if (!SORT_FIELDS.has(field) && !/^(params|metrics)\..+/.test(field)) {
    throw new KoanError("USAGE", `cannot sort by "${field}"`, { hint: `sort by ${[...SORT_FIELDS].join(", ")}, params.<key> or metrics.<key> (prefix - for descending)` });
  }
  if (isSecretKey(field.split(".").pop() ?? field)) throw new KoanError("USAGE", `cannot sort by "${field}": it names a secret`);
  return { field, desc };
}

/** Parse the query string of `GET /api/runs`. */
export function parseRunQuery(params: URLSearchParams): RunListQuery {
  const statuses = params.get("status")?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of statuses ?? []) {
    if (!RUN_STATUSES.includes(s as RunStatus)) throw new KoanError("USAGE", `status "${s}" is not one of ${RUN_STATUSES.join(", ")}`);
  }
  const from = params.get("from");
  const to = params.get("to");
  return {
    ...(params.get("pipeline") ? { pipeline: params.get("pipeline") as string } : {}),
    ...(statuses?.length ? { statuses: statuses as RunStatus[] } : {}),
    ...(from ? { from: date("from", from, false) } : {}),
    ...(to ? { to: date("to", to, true) } : {}),
    ...(params.get("q") ? { q: params.get("q") as string } : {}),
    filters: params.getAll("filter").filter(Boolean).map(parseFilter),
    sort: parseSort(params.get("sort") ?? undefined),
    limit: int("limit", params.get("limit") ?? undefined, 50, 1, MAX_LIMIT),
    offset: int("offset", params.get("offset") ?? undefined, 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The sort as text (`-startedAt`). */
export function sortText(sort: RunListQuery["sort"]): string {
  return `${sort.desc ? "-" : ""}${sort.field}`;
}
