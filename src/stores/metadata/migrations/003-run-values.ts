/**
 * Migration 3: indexed parameter and last-metric values of runs (`run_params`, `run_metrics`; see
 * sql/run-values.ts), so the dashboard filters and sorts runs on them in the store instead of in memory. Additive:
 * existing tables are unchanged; the new ones are filled from the runs, metrics and cache hits already stored.
 * @module
 */
import { sql, type Kysely } from "kysely";
import type { Migration, SqlDialectName } from "./migration.js";
import type { Database } from "../sql/schema.js";
import { paramRows, upsertMetricValues } from "../sql/run-values.js";

const PAGE = 1000;

/** A text column; byte order (`"C"`) on PostgreSQL, as migration 2 made the others. */
function text(dialect: SqlDialectName) {
  return dialect === "postgres" ? sql`text collate "C"` : sql`text`;
}

export const runValues: Migration = {
  version: 3,
  name: "indexed run parameters and last metric values",
  async up(raw: Kysely<unknown>, dialect) {
    const db = raw as unknown as Kysely<Database>;
    const t = text(dialect);
    await db.schema
      .createTable("run_params")
      .addColumn("run_id", t, (c) => c.notNull())
      .addColumn("key", t, (c) => c.notNull())
      .addColumn("num", "double precision")
      .addColumn("text", t, (c) => c.notNull())
      .addColumn("lower", t, (c) => c.notNull())
      .addPrimaryKeyConstraint("run_params_pk", ["run_id", "key"])
      .execute();
    await db.schema.createIndex("run_params_key_num").on("run_params").columns(["key", "num"]).execute();
    await db.schema.createIndex("run_params_key_text").on("run_params").columns(["key", "text"]).execute();
    await db.schema
      .createTable("run_metrics")
      .addColumn("run_id", t, (c) => c.notNull())
      .addColumn("key", t, (c) => c.notNull())
      .addColumn("step", t, (c) => c.notNull())
      .addColumn("step_run_id", t, (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("text", t, (c) => c.notNull())
      .addColumn("lower", t, (c) => c.notNull())
      .addPrimaryKeyConstraint("run_metrics_pk", ["run_id", "key"])
      .execute();
    await db.schema.createIndex("run_metrics_key_value").on("run_metrics").columns(["key", "value"]).execute();

    // Fill them from what the store holds.
    for (let after = ""; ; ) {
      const runs = await db.selectFrom("runs").select(["id", "config"]).where("id", ">", after).orderBy("id").limit(PAGE).execute();
      for (const r of runs) {
        const rows = paramRows({ id: r.id, config: JSON.parse(r.config) as never });
        for (let i = 0; i < rows.length; i += 200) await db.insertInto("run_params").values(rows.slice(i, i + 200)).execute();
      }
      if (runs.length < PAGE) break;
      after = (runs[runs.length - 1] as { id: string }).id;
    }
    const last = await sql<{ run_id: string; step: string; step_run_id: string; name: string; value: number | string; seq: number | string }>`
      select sr.run_id, sr.step, m.step_run_id, m.name, m.value, m.seq
      from (select step_run_id, name, value, seq, row_number() over (partition by step_run_id, name order by seq desc, id desc) as rn from metrics) m
      join step_runs sr on sr.id = m.step_run_id
      where m.rn = 1`.execute(db);
    const byStepRun = new Map<string, { name: string; value: number; seq: number }[]>();
    for (const r of last.rows) {
      const list = byStepRun.get(r.step_run_id) ?? [];
      list.push({ name: r.name, value: Number(r.value), seq: Number(r.seq) });
      byStepRun.set(r.step_run_id, list);
    }
    await upsertMetricValues(db, last.rows.map((r) => ({ run_id: r.run_id, step: r.step, key: `${r.step}.${r.name}`, step_run_id: r.step_run_id, value: Number(r.value), seq: Number(r.seq) })));
    const hits = await db.selectFrom("step_runs").select(["run_id", "step", "cached_from"]).where("cache_hit", "=", 1).where("cached_from", "is not", null).execute();
    await upsertMetricValues(
      db,
      hits.flatMap((h) => (byStepRun.get(h.cached_from as string) ?? []).map((m) => ({ run_id: h.run_id, step: h.step, key: `${h.step}.${m.name}`, step_run_id: h.cached_from as string, value: m.value, seq: m.seq }))),
    );
  },
};
