/** The README's main command: the quickstart pipeline runs, learns, and a re-run is all cache hits. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { koan, REPO, tempDir } from "../helpers.js";

test("examples/quickstart trains a penguin classifier above 90% eval accuracy and re-runs from cache", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(REPO, "examples", "quickstart", "pipeline.ts");
    const first = await koan(["run", file, "-C", dir, "--json"], REPO);
    assert.equal(first.code, 0, first.stderr);
    const run = JSON.parse(first.stdout) as { runId: string; steps: { step: string; cacheHit: boolean }[] };
    assert.deepEqual(run.steps.map((s) => s.step), ["load", "split", "fit_scaler", "train", "evaluate"]);
    const metrics = JSON.parse((await koan(["artifacts", "cat", `${run.runId}/evaluate/metrics`, "-C", dir], REPO)).stdout) as { accuracy: number; n: number };
    assert.ok(metrics.accuracy > 0.9, `accuracy ${metrics.accuracy}`);
    assert.equal(metrics.n, 86);
    const report = await koan(["artifacts", "cat", `${run.runId}/evaluate/report`, "-C", dir], REPO);
    assert.match(report.stdout, /Eval accuracy: \*\*\d+\.\d%\*\*/);
    const again = JSON.parse((await koan(["run", file, "-C", dir, "--json"], REPO)).stdout) as { steps: { cacheHit: boolean }[] };
    assert.ok(again.steps.every((s) => s.cacheHit));
    const other = JSON.parse((await koan(["run", file, "-C", dir, "--json", "--seed", "7"], REPO)).stdout) as { runId: string };
    const m2 = JSON.parse((await koan(["artifacts", "cat", `${other.runId}/evaluate/metrics`, "-C", dir], REPO)).stdout) as { accuracy: number };
    assert.ok(m2.accuracy > 0.85, "another seed, another split, still learns");
  } finally {
    await cleanup();
  }
});
