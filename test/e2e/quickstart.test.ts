/** The README's main command: the quickstart training pipeline runs, learns, is blessed, and a re-run is all cache hits. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { koan, REPO, tempDir } from "../helpers.js";

interface Evaluation {
  splits: { split: string; overall: { metrics: Record<string, number> }; slices: { slice: string }[] }[];
  blessing: { blessed: boolean };
}

test("examples/quickstart trains a penguin classifier above 90% eval accuracy, blessed, and re-runs from cache", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(REPO, "examples", "quickstart", "pipeline.ts");
    const first = await koan(["run", file, "-C", dir, "--json"], REPO);
    assert.equal(first.code, 0, first.stderr);
    const run = JSON.parse(first.stdout) as { runId: string; steps: { step: string; cacheHit: boolean }[] };
    assert.deepEqual(run.steps.map((s) => s.step).sort(), ["bundle", "evaluator", "preprocess", "schema", "source", "split", "statistics", "trainer", "transform_spec", "validate"]);
    const evaluation = JSON.parse((await koan(["artifacts", "cat", `${run.runId}/evaluator/evaluation`, "-C", dir], REPO)).stdout) as Evaluation;
    const evalSplit = evaluation.splits.find((s) => s.split === "eval");
    assert.ok((evalSplit?.overall.metrics.accuracy ?? 0) > 0.9, `accuracy ${evalSplit?.overall.metrics.accuracy}`);
    assert.ok(evalSplit?.slices.some((s) => s.slice === "Island:Biscoe"), "sliced by island");
    assert.equal(evaluation.blessing.blessed, true);
    const again = JSON.parse((await koan(["run", file, "-C", dir, "--json"], REPO)).stdout) as { steps: { cacheHit: boolean }[] };
    assert.ok(again.steps.every((s) => s.cacheHit));
    const other = JSON.parse((await koan(["run", file, "-C", dir, "--json", "--seed", "7"], REPO)).stdout) as { runId: string };
    const e2 = JSON.parse((await koan(["artifacts", "cat", `${other.runId}/evaluator/evaluation`, "-C", dir], REPO)).stdout) as Evaluation;
    assert.ok((e2.splits[0]?.overall.metrics.accuracy ?? 0) > 0.85, "another seed, another split, still learns");
  } finally {
    await cleanup();
  }
});
