/** The Data page's API over the real artifacts of the data steps (datasets, statistics, anomalies). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Koan, pipeline, rowsSource, statistics, schemaGen, validate } from "../../src/index.js";
import { startUiServer } from "../../src/ui/server.js";
import { tempDir } from "../helpers.js";

test("the data API shows datasets, per-split statistics and the validate step's anomalies", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const p = pipeline({
      name: "data",
      build: () => {
        const { dataset } = rowsSource(undefined, { params: { rows: [{ c: "a" }, { c: "b" }, { c: "a" }] } });
        const { dataset: later } = rowsSource(undefined, { name: "later", params: { rows: [{ c: "a" }, { c: "zzz" }] } });
        const { schema } = schemaGen({ statistics: statistics({ dataset }).statistics });
        validate({ statistics: statistics({ dataset: later }, { name: "later_stats" }).statistics, schema });
      },
    });
    const r = await koan.run(p);
    assert.equal(r.status, "succeeded", r.error?.message);
    const srv = await startUiServer(koan, { port: 0 });
    try {
      const view = (await (await fetch(new URL(`api/runs/${r.runId}/data`, srv.url))).json()) as {
        datasets: { content: { splits: { name: string; rows: number }[] } }[];
        statistics: { content: { splits: { numExamples: number }[]; anomalies: { feature: string; description: string }[] } }[];
      };
      assert.deepEqual(view.datasets.map((d) => d.content.splits[0]?.rows).sort(), [2, 3]);
      assert.deepEqual(view.statistics.map((s) => s.content.splits[0]?.numExamples).sort(), [2, 3]);
      const anomalies = view.statistics[0]?.content.anomalies ?? [];
      assert.ok(anomalies.some((a) => a.feature === "c" && /zzz/.test(a.description)), JSON.stringify(anomalies));
    } finally {
      await srv.close();
    }
  } finally {
    await koan.close();
    await cleanup();
  }
});
