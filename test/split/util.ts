/** Helpers shared by the split and preprocess tests: projects, runs, penguins, generated rows. */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Koan, pipeline, type Dataset, type RunResult } from "../../src/index.js";
import { tempDir } from "../helpers.js";

/** A fresh project in a temp folder. */
export async function project(): Promise<{ dir: string; koan: Koan; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir("koan-split-");
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}

/** Run a one-off pipeline built by `build`. */
export function runPipeline(koan: Koan, build: () => void, options: { seed?: number; cache?: boolean; name?: string } = {}): Promise<RunResult> {
  return koan.run(pipeline({ name: options.name ?? "p", seed: options.seed ?? 0, build }), { cache: options.cache ?? false });
}

/** Assert success and load an output. */
export async function output<T = Dataset>(koan: Koan, r: RunResult, step: string, port = "dataset"): Promise<T> {
  assert.equal(r.status, "succeeded", r.error ? `${r.error.message}: ${String((r.error.cause as Error | undefined)?.message)}` : "");
  const a = r.outputs[step]?.[port];
  assert.ok(a, `no output ${step}.${port}`);
  return (await koan.load(a)) as T;
}

/** The content hash of an output. */
export function contentHash(r: RunResult, step: string, port = "dataset"): string {
  const a = r.outputs[step]?.[port];
  assert.ok(a, `no output ${step}.${port}`);
  return a.contentHash;
}

/** All rows of a split (int64 as numbers). */
export async function rowsOf(ds: Dataset, split: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of ds.rows(split, { int64: "number" })) out.push(r);
  return out;
}

/** The log of a step of a run. */
export async function stepLog(koan: Koan, r: RunResult, step: string): Promise<string> {
  const s = r.steps.find((x) => x.step === step);
  assert.ok(s, `no step ${step}`);
  return koan.stepLog(s);
}

/** The failure message of a run, cause included. */
export function failure(r: RunResult): string {
  assert.equal(r.status, "failed", "the run should fail");
  return `${r.error?.message ?? ""}`;
}

const vega = (name: string): string => join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", name);

/** The penguins table (vega-datasets) as JSON Lines in `dir`, with an `id` column; returns the path. */
export async function penguinsJsonl(dir: string): Promise<string> {
  const rows = JSON.parse(await readFile(vega("penguins.json"), "utf8")) as Record<string, unknown>[];
  const file = join(dir, "penguins.jsonl");
  await writeFile(file, rows.map((r, i) => JSON.stringify({ id: i, ...r })).join("\n") + "\n");
  return file;
}

/** The seattle-weather CSV shipped by vega-datasets. */
export const WEATHER_CSV = vega("seattle-weather.csv");

/** Generated rows: id, a category, a number, and a date. */
export function generatedRows(n: number): { id: number; cat: string; x: number; day: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    cat: ["a", "b", "c", "d"][i % 4] as string,
    x: (i * 37) % 101,
    day: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  }));
}
