/** Helpers of the data-source tests: a temp project with a client, and a run's dataset output. */
import assert from "node:assert/strict";
import { Koan, type Dataset, type RunResult } from "../../src/index.js";
import { tempDir } from "../helpers.js";

/** A temp project opened with a client; `cleanup` closes it and removes the folder. */
export async function project(): Promise<{ dir: string; koan: Koan; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}

/** The dataset a step of a successful run produced. */
export async function datasetOf(koan: Koan, r: RunResult, step: string): Promise<Dataset> {
  assert.equal(r.status, "succeeded", r.error?.message);
  const a = r.outputs[step]?.dataset;
  assert.ok(a, `step ${step} has a dataset output`);
  return (await koan.load(a)) as Dataset;
}

/** All rows of a split (int64 as numbers). */
export async function rowsOf(ds: Dataset, split: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of ds.rows(split, { int64: "number" })) out.push(r);
  return out;
}
