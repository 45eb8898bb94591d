/** The Evaluation page's API over a real evaluation artifact (trainer + evaluator steps). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Koan, pipeline, rowsSource, ratioSplit, featureSpecStep, trainer, evaluator } from "../../src/index.js";
import { startUiServer } from "../../src/ui/server.js";
import { tempDir } from "../helpers.js";

test("the evaluation API shows metrics, blessing, confusion matrix and calibration of Koan's evaluator", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const rows = Array.from({ length: 120 }, (_, i) => ({ x: (i % 20) / 20, y: ((i * 7) % 13) / 13, label: (i % 20) / 20 + ((i * 7) % 13) / 13 > 1 ? 1 : 0 }));
    const p = pipeline({
      name: "ev",
      seed: 1,
      build: () => {
        const { dataset } = rowsSource(undefined, { params: { rows, columns: { label: "int64" } } });
        const { dataset: parts } = ratioSplit({ dataset }, { params: { ratios: { train: 0.75, eval: 0.25 } } });
        const { spec } = featureSpecStep({ dataset: parts }, { params: { label: { name: "label", kind: "binary" } } });
        const { model } = trainer({ dataset: parts, spec }, { params: { epochs: 2, hiddenUnits: [4] } });
        evaluator({ model, dataset: parts }, { params: { splits: ["eval"] } });
      },
    });
    const r = await koan.run(p);
    assert.equal(r.status, "succeeded", r.error?.message);
    const srv = await startUiServer(koan, { port: 0 });
    try {
      const view = (await (await fetch(new URL(`api/runs/${r.runId}/evaluation`, srv.url))).json()) as {
        evaluations: { error: string | null; content: { blessed: boolean | null; confusion: { labels: string[]; matrix: number[][] } | null; calibration: unknown[] | null; metrics: { slice: string | null; name: string; value: number }[] } }[];
      };
      const e = view.evaluations[0];
      assert.equal(e?.error, null);
      assert.equal(e?.content.blessed, true);
      assert.deepEqual(e?.content.confusion?.labels, ["0", "1"]);
      const total = (e?.content.confusion?.matrix ?? []).flat().reduce((a, b) => a + b, 0);
      const count = e?.content.metrics.find((m) => m.slice === null && m.name === "example_count")?.value;
      assert.equal(total, count, "the confusion matrix covers every eval example");
      assert.ok(e?.content.metrics.some((m) => m.name === "accuracy"));
      assert.ok((e?.content.calibration?.length ?? 0) > 0);
    } finally {
      await srv.close();
    }
  } finally {
    await koan.close();
    await cleanup();
  }
});
