/**
 * Indexed parameter and metric values of runs, so the runs list can filter and sort on them in the store
 * (migration 3): `run_params` holds every flattened parameter of a run (`train.epochs`), `run_metrics` the last
 * value of every `step.metric` of a run, a cache hit's step taking the values of the step run it reused. Both keep
 * the value as a number (when it is one), as text (strings as they are, anything else as JSON) and as lower-case
 * text (for "contains"), so filters behave exactly as the dashboard describes them:
 *
 * - a filter value that is a number compares numerically with number values and as text with the others;
 * - any other value compares as text; `~` is a case-insensitive "contains"; a run without the key never matches.
 *
 * Shared by the SQLite and PostgreSQL flavors (plain SQL plus one dialect switch for durations).
 * @module
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { JsonValue } from "../../../core/hash.js";
import { flattenParams } from "../../../compare/flatten.js";
import type { MetricRecord, RunFacetKeys, RunRecord, RunSearch, RunValueFilter } from "../types.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database>;
const ROWS_PER_INSERT = 200;

/** The stored forms of one value. */
export function valueColumns(v: JsonValue | number): { num: number | null; text: string; lower: string } {
  const text = typeof v === "string" ? v : (JSON.stringify(v) ?? "null");
  return { num: typeof v === "number" && Number.isFinite(v) ? v : null, text, lower: text.toLowerCase() };
}

/** `run_params` rows of a run. */
export function paramRows(run: Pick<RunRecord, "id" | "config">): Database["run_params"][] {
  const config = run.config;
  const params = config !== null && typeof config === "object" && !Array.isArray(config) ? config.params : undefined;
  return Object.entries(flattenParams(params)).map(([key, v]) => ({ run_id: run.id, key, ...valueColumns(v) }));
}

/** Index the parameters of a new run. */
export async function insertRunParams(db: Db, run: Pick<RunRecord, "id" | "config">): Promise<void> {
  const rows = paramRows(run);
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await db.insertInto("run_params").values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
}

/** One metric's last value, ready to upsert. */
interface MetricValue {
  run_id: string;
  step: string;
  key: string;
  step_run_id: string;
  value: number;
  seq: number;
}

/**
 * Upsert last values: a value replaces the stored one when it comes from another step run (the step ran again, or
 * this is a cache hit's copy) or has the same or a later `seq`.
 */
export async function upsertMetricValues(db: Db, values: readonly MetricValue[]): Promise<void> {
  for (let i = 0; i < values.length; i += ROWS_PER_INSERT) {
    const part = values.slice(i, i + ROWS_PER_INSERT).map((m) => {
      const { num: _num, ...text } = valueColumns(m.value);
      return { ...m, ...text };
    });
    await db
      .insertInto("run_metrics")
      .values(part)
      .onConflict((oc) =>
        oc.columns(["run_id", "key"]).doUpdateSet({
          step: (eb) => eb.ref("excluded.step"),
          step_run_id: (eb) => eb.ref("excluded.step_run_id"),
          value: (eb) => eb.ref("excluded.value"),
          seq: (eb) => eb.ref("excluded.seq"),
          text: (eb) => eb.ref("excluded.text"),
          lower: (eb) => eb.ref("excluded.lower"),
        }).where(sql<boolean>`run_metrics.step_run_id <> excluded.step_run_id or excluded.seq >= run_metrics.seq`),
      )
      .execute();
  }
}

/** The last value per name among metrics (later `seq` wins; on a tie, the later one). */
function lastPerName(metrics: readonly Pick<MetricRecord, "stepRunId" | "name" | "value" | "seq">[]): Map<string, Pick<MetricRecord, "stepRunId" | "name" | "value" | "seq">> {
  const out = new Map<string, Pick<MetricRecord, "stepRunId" | "name" | "value" | "seq">>();
  for (const m of metrics) {
    const k = `${m.stepRunId}\u0000${m.name}`;
    const prev = out.get(k);
    if (!prev || m.seq >= prev.seq) out.set(k, m);
  }
  return out;
}

/** Index newly logged metrics (after they were inserted into `metrics`). */
export async function indexLoggedMetrics(db: Db, metrics: readonly MetricRecord[]): Promise<void> {
  if (!metrics.length) return;
  const last = lastPerName(metrics);
  const ids = [...new Set(metrics.map((m) => m.stepRunId))];
  const owners = new Map<string, { run_id: string; step: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom("step_runs").select(["id", "run_id", "step"]).where("id", "in", ids.slice(i, i + 500)).execute()) owners.set(r.id, r);
  }
  const values: MetricValue[] = [];
  for (const m of last.values()) {
    const o = owners.get(m.stepRunId);
    if (o) values.push({ run_id: o.run_id, step: o.step, key: `${o.step}.${m.name}`, step_run_id: m.stepRunId, value: m.value, seq: m.seq });
  }
  await upsertMetricValues(db, values);
}

/** A cache hit's step takes the last metric values of the step run it reused. */
export async function copyCachedMetrics(db: Db, hit: { runId: string; step: string; cachedFrom: string }): Promise<void> {
  const rows = await db.selectFrom("metrics").select(["step_run_id", "name", "value", "seq"]).where("step_run_id", "=", hit.cachedFrom).orderBy("seq").orderBy("id").execute();
  const last = lastPerName(rows.map((r) => ({ stepRunId: r.step_run_id, name: r.name, value: Number(r.value), seq: Number(r.seq) })));
  await upsertMetricValues(
    db,
    [...last.values()].map((m) => ({ run_id: hit.runId, step: hit.step, key: `${hit.step}.${m.name}`, step_run_id: hit.cachedFrom, value: m.value, seq: m.seq })),
  );
}

/** Forget a step's metric values (its step run was discarded). */
export async function forgetStepMetrics(db: Db, runId: string, step: string): Promise<void> {
  await db.deleteFrom("run_metrics").where("run_id", "=", runId).where("step", "=", step).execute();
}

/** Forget the values of deleted runs. */
export async function forgetRuns(db: Db, runIds: readonly string[]): Promise<void> {
  if (!runIds.length) return;
  await db.deleteFrom("run_params").where("run_id", "in", runIds).execute();
  await db.deleteFrom("run_metrics").where("run_id", "in", runIds).execute();
}

/** `%text%` for LIKE, with `\` escaping `%`, `_` and itself. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const SQL_OPS = { "=": sql`=`, "!=": sql`<>`, ">": sql`>`, ">=": sql`>=`, "<": sql`<`, "<=": sql`<=` } as const;

/** The condition on one value row (alias `v`) for a filter. */
function valueCondition(f: RunValueFilter, numeric: RawBuilder<unknown>): RawBuilder<boolean> {
  if (f.op === "~") return sql<boolean>`v.lower like ${containsPattern(f.value)} escape '\\'`;
  const op = SQL_OPS[f.op];
  const n = Number(f.value);
  if (f.value.trim() !== "" && !Number.isNaN(n)) {
    return sql<boolean>`((${numeric} is not null and ${numeric} ${op} ${n}) or (${numeric} is null and v.text ${op} ${f.value}))`;
  }
  return sql<boolean>`v.text ${op} ${f.value}`;
}

/** The WHERE conditions of a search (over `runs`). */
function conditions(q: RunSearch): RawBuilder<boolean>[] {
  const out: RawBuilder<boolean>[] = [];
  if (q.pipeline) out.push(sql<boolean>`runs.pipeline = ${q.pipeline}`);
  if (q.statuses?.length) out.push(sql<boolean>`runs.status in (${sql.join(q.statuses)})`);
  if (q.from) out.push(sql<boolean>`runs.started_at >= ${q.from}`);
  if (q.before) out.push(sql<boolean>`runs.started_at < ${q.before}`);
  if (q.text) {
    const p = containsPattern(q.text);
    out.push(sql<boolean>`(lower(runs.id) like ${p} escape '\\' or lower(runs.pipeline) like ${p} escape '\\')`);
  }
  for (const f of q.params ?? []) {
    out.push(sql<boolean>`exists (select 1 from run_params v where v.run_id = runs.id and v.key = ${f.key} and ${valueCondition(f, sql`v.num`)})`);
  }
  for (const f of q.metrics ?? []) {
    out.push(sql<boolean>`exists (select 1 from run_metrics v where v.run_id = runs.id and v.key = ${f.key} and ${valueCondition(f, sql`v.value`)})`);
  }
  return out;
}

function where(q: RunSearch): RawBuilder<unknown> {
  const c = conditions(q);
  return c.length ? sql`where ${sql.join(c, sql` and `)}` : sql``;
}

/** ORDER BY for a sort: runs without a value last either way; ties newest first. */
function ordering(q: RunSearch, dialect: string): { join: RawBuilder<unknown>; order: RawBuilder<unknown> } {
  const field = q.sort?.field ?? "startedAt";
  const dir = q.sort?.desc === false ? sql`asc` : sql`desc`;
  const ties = sql`runs.started_at desc, runs.id desc`;
  const on = (table: "run_params" | "run_metrics", num: string, key: string) => ({
    join: sql`left join ${sql.table(table)} s on s.run_id = runs.id and s.key = ${key}`,
    order: sql`case when s.run_id is null then 1 else 0 end, case when ${sql.ref(`s.${num}`)} is null then 1 else 0 end, ${sql.ref(`s.${num}`)} ${dir}, s.text ${dir}, ${ties}`,
  });
  if (field.startsWith("params.")) return on("run_params", "num", field.slice(7));
  if (field.startsWith("metrics.")) return on("run_metrics", "value", field.slice(8));
  const nullsLast = (expr: RawBuilder<unknown>) => sql`case when ${expr} is null then 1 else 0 end, ${expr} ${dir}, ${ties}`;
  switch (field) {
    case "endedAt":
      return { join: sql``, order: nullsLast(sql`runs.ended_at`) };
    case "duration":
      return {
        join: sql``,
        order: nullsLast(
          dialect === "postgres"
            ? sql`extract(epoch from (runs.ended_at::timestamptz - runs.started_at::timestamptz))`
            : sql`(julianday(runs.ended_at) - julianday(runs.started_at))`,
        ),
      };
    case "pipeline":
      return { join: sql``, order: sql`runs.pipeline ${dir}, ${ties}` };
    case "status":
      return { join: sql``, order: sql`runs.status ${dir}, ${ties}` };
    case "id":
      return { join: sql``, order: sql`runs.id ${dir}, runs.started_at desc` };
    default:
      return { join: sql``, order: q.sort?.desc === false ? sql`runs.started_at asc, runs.id asc` : ties };
  }
}

/** One page of runs matching a search, and how many match in all. */
export async function searchRunRows(db: Db, dialect: string, q: RunSearch): Promise<{ total: number; rows: Database["runs"][] }> {
  const w = where(q);
  const count = await sql<{ n: number | string }>`select count(*) as n from runs ${w}`.execute(db);
  const { join, order } = ordering(q, dialect);
  const page = await sql<Database["runs"]>`select runs.* from runs ${join} ${w} order by ${order} limit ${q.limit ?? 50} offset ${q.offset ?? 0}`.execute(db);
  return { total: Number(count.rows[0]?.n ?? 0), rows: page.rows };
}

/** The last metric values of runs, by run id then `step.metric` (keys sorted). */
export async function metricValuesOf(db: Db, runIds: readonly string[]): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = Object.fromEntries(runIds.map((id) => [id, {}]));
  for (let i = 0; i < runIds.length; i += 500) {
    const rows = await db.selectFrom("run_metrics").select(["run_id", "key", "value"]).where("run_id", "in", runIds.slice(i, i + 500)).orderBy("run_id").orderBy("key").execute();
    for (const r of rows) (out[r.run_id] as Record<string, number>)[r.key] = Number(r.value);
  }
  return out;
}

/** Pipelines of all runs; parameter and metric keys of the `sample` most recent runs. */
export async function facetKeys(db: Db, sample: number): Promise<RunFacetKeys> {
  const pipelines = await db.selectFrom("runs").select("pipeline").distinct().orderBy("pipeline").execute();
  const recent = sql`(select id from runs order by started_at desc, id desc limit ${sample})`;
  const params = await sql<{ key: string }>`select distinct key from run_params where run_id in ${recent} order by key`.execute(db);
  const metrics = await sql<{ key: string }>`select distinct key from run_metrics where run_id in ${recent} order by key`.execute(db);
  return { pipelines: pipelines.map((p) => p.pipeline), params: params.rows.map((r) => r.key), metrics: metrics.rows.map((r) => r.key) };
}
