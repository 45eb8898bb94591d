/**
 * A project whose run has a model: raw penguin rows (rowsSource) → train (a `bundle` folder with fitted
 * weights, and an `evaluation` JSON with `blessed`). The bundle folder stands in for a serving bundle.
 */
import { writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { Koan, pipeline, rowsSource, step, types, type RunResult } from "../../src/index.js";
import type { Dataset } from "../../src/data/dataset/dataset.js";
import { tempDir } from "../helpers.js";
import { fitPenguins, penguinRows, predictPenguin, type PenguinWeights } from "./models.js";

export const train = step({
  name: "train",
  inputs: { data: types.dataset() },
  outputs: { bundle: types.dir(), weights: types.json<PenguinWeights>(), evaluation: types.json<{ accuracy: number; blessed: boolean }>() },
  params: z.object({ threshold: z.number().default(0.5), iterations: z.number().int().default(100) }),
  run: async (ctx, { data }, p) => {
    const weights = fitPenguins(p.iterations);
    let right = 0;
    let n = 0;
    for await (const row of data.rows("all", { int64: "number" })) {
      n++;
      if (predictPenguin(row as never, weights).species === row.species) right++;
    }
    const dir = join(ctx.scratchDir, "bundle");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "weights.json"), JSON.stringify(weights));
    const accuracy = right / n;
    return { bundle: dir, weights, evaluation: { accuracy, blessed: accuracy >= p.threshold } };
  },
});

/** Raw rows of the run: 40 penguins with their species. */
export function rawRows(): Record<string, string | number | null>[] {
  const { rows, species } = penguinRows();
  return rows.slice(0, 40).map((r, i) => ({ ...(r as Record<string, string | number | null>), species: species[i] as string }));
}

export const modelPipeline = pipeline({
  name: "penguin_model",
  build: () => {
    const { dataset } = rowsSource(undefined, { params: { rows: rawRows(), columns: { body_mass_g: "int64" } } });
    train({ data: dataset });
  },
});

/** A fresh project with one run of the model pipeline (blessed unless `threshold` is above 1). */
export async function modelProject(threshold = 0.5): Promise<{ dir: string; koan: Koan; run: RunResult; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  const run = await koan.run(modelPipeline, { params: { train: { threshold } } });
  if (run.status !== "succeeded") throw run.error ?? new Error("the model pipeline failed");
  return { dir, koan, run, cleanup: async () => { await koan.close(); await cleanup(); } };
}

export type { Dataset };
