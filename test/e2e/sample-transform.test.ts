/** `koan sample --transform`: raw rows beside what the transform makes of them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { koan, tempProject } from "../helpers.js";

const PIPELINE = `
import { pipeline, rowsSource, ratioSplit, preprocess } from "koan";
const rows = Array.from({ length: 40 }, (_, i) => ({ size: i, colour: i % 3 === 0 ? "red" : "blue", label: i % 2 === 0 ? "even" : "odd" }));
export default pipeline({
  name: "prep",
  build: () => {
    const { dataset } = rowsSource(undefined, { params: { rows } });
    const { dataset: splits } = ratioSplit({ dataset }, { params: { ratios: { train: 0.75, eval: 0.25 } } });
    preprocess({ dataset: splits }, { params: { label: "label" } });
  },
});
`;

test("koan sample --transform shows each raw row with its transformed values", async () => {
  const p = await tempProject();
  try {
    await p.write("pipeline.ts", PIPELINE);
    const run = await koan(["run", "pipeline.ts", "--json"], p.dir);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const out = await koan(["sample", `${runId}/ratio_split/dataset`, "--split", "train", "-n", "3", "--transform", `${runId}/preprocess/transform`, "--json"], p.dir);
    assert.equal(out.code, 0, out.stderr);
    const rows = JSON.parse(out.stdout) as { raw: { size: number; colour: string }; transformed: Record<string, unknown> }[];
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(typeof r.raw.size, "number");
      assert.ok(Object.keys(r.transformed).length > 0);
      assert.ok(Object.values(r.transformed).some((v) => typeof v === "number" || Array.isArray(v)));
    }
    const table = await koan(["sample", `${runId}/ratio_split/dataset`, "-n", "2", "--transform", `${runId}/preprocess/transform`], p.dir);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /→ /);
    const wrong = await koan(["sample", `${runId}/ratio_split/dataset`, "--transform", `${runId}/ratio_split/dataset`], p.dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /not a transform/);
  } finally {
    await p.cleanup();
  }
});
