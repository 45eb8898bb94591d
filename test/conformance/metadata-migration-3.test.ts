/**
 * Migration 3 on a store written before it (schema version 2): the runs, metrics and cache hits it holds become
 * searchable by parameter and last metric value, with the same values the dashboard computed in memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/stores/metadata/sqlite/open.js";
import { LATEST_SCHEMA_VERSION } from "../../src/stores/metadata/migrations/index.js";
import { tempDir } from "../helpers.js";
import { run, stepRun } from "./metadata-store.cases.js";

test("[metadata-store:sqlite] migration 3 fills the run value tables of a version-2 store", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, "metadata.db");
    let s = await openSqliteStore({ path });
    const a = run({ config: { seed: 0, params: { fit: { lr: 0.1, opt: "adam" } } } });
    const b = run({ config: { seed: 0, params: { fit: { lr: 0.01, opt: "sgd" } } } });
    await s.createRun(a);
    await s.createRun(b);
    const sa = stepRun(a.id, "fit");
    await s.createStepRun(sa, []);
    await s.logMetrics([
      { stepRunId: sa.id, name: "loss", value: 0.9, step: 0, seq: 0, at: a.startedAt },
      { stepRunId: sa.id, name: "loss", value: 0.4, step: 1, seq: 1, at: a.startedAt },
    ]);
    await s.createStepRun(stepRun(b.id, "fit", { cacheHit: true, cachedFrom: sa.id }), []);
    const before = await s.lastMetricsOfRuns([a.id, b.id]);
    await s.close();

    // Back to what a version-2 store held: the same tables, without migration 3's.
    const db = new Database(path);
    db.exec("drop table run_params; drop table run_metrics; update koan_meta set value = '2' where key = 'schema_version'");
    db.close();

    s = await openSqliteStore({ path });
    try {
      assert.equal(await s.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.deepEqual(await s.lastMetricsOfRuns([a.id, b.id]), before);
      assert.deepEqual(before, { [a.id]: { "fit.loss": 0.4 }, [b.id]: { "fit.loss": 0.4 } });
      const byParam = await s.searchRuns({ params: [{ key: "fit.lr", op: "<", value: "0.05" }] });
      assert.deepEqual(byParam.runs.map((r) => r.id), [b.id]);
      const byMetric = await s.searchRuns({ metrics: [{ key: "fit.loss", op: "<=", value: "0.4" }], sort: { field: "params.fit.opt", desc: false } });
      assert.deepEqual(byMetric.runs.map((r) => r.id), [a.id, b.id]);
    } finally {
      await s.close();
    }
  } finally {
    await cleanup();
  }
});
