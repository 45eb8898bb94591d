/** The runnable examples of docs/splitting.md and docs/preprocessing.md run with the real CLI. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { koan, REPO, tempProject } from "../helpers.js";
import { WEATHER_CSV } from "./util.js";

/** The code block after `<!-- example: pipeline.ts -->` in a doc. */
async function example(doc: string): Promise<string> {
  const text = await readFile(join(REPO, "docs", doc), "utf8");
  const m = /<!-- example: pipeline\.ts -->\s*```ts\n([\s\S]*?)```/.exec(text);
  assert.ok(m, `${doc} has a runnable example`);
  return m[1] as string;
}

/** penguins.json (vega-datasets) as a CSV with snake_case columns. */
async function penguinsCsv(): Promise<string> {
  const file = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "penguins.json");
  const rows = JSON.parse(await readFile(file, "utf8")) as Record<string, string | number | null>[];
  const keys = ["Species", "Island", "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex"];
  const header = "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex";
  return [header, ...rows.map((r) => keys.map((k) => (r[k] === null || r[k] === undefined ? "" : String(r[k]))).join(","))].join("\n") + "\n";
}

for (const doc of ["splitting.md", "preprocessing.md"]) {
  test(`docs/${doc}: the runnable example runs`, async () => {
    const p = await tempProject();
    try {
      await p.write("penguins.csv", await penguinsCsv());
      await copyFile(WEATHER_CSV, join(p.dir, "seattle-weather.csv"));
      await p.write("pipeline.ts", await example(doc));
      const init = await koan(["init"], p.dir);
      assert.equal(init.code, 0, init.stderr);
      const r = await koan(["run", "pipeline.ts", "--json"], p.dir);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const run = JSON.parse(r.stdout) as { status: string; steps: { step: string; status: string }[] };
      assert.equal(run.status, "succeeded");
      assert.ok(run.steps.every((s) => s.status === "succeeded"));
    } finally {
      await p.cleanup();
    }
  });
}
