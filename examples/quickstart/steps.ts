/**
 * Steps of the quickstart: classify Palmer penguins by species from their measurements, with nothing but plain
 * TypeScript steps (the data and training issues bring TFRecord datasets and TF.js models).
 */
import { createRequire } from "node:module";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { fileFingerprint, step, types as t } from "koan";

/** One cleaned penguin. */
export interface Penguin {
  species: string;
  island: string;
  features: number[];
}

export const FEATURES = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"] as const;

const rowsType = t.json<Penguin[]>();

/** The penguins table shipped by the `vega-datasets` npm package. */
export function penguinsFile(): string {
  const main = createRequire(import.meta.url).resolve("vega-datasets");
  return join(dirname(main), "..", "data", "penguins.json");
}

/** Read the raw table; the file's content hash is part of the cache key. */
export const load = step({
  name: "load",
  description: "read penguins.json and drop rows with missing measurements",
  params: z.object({ path: z.string().default(penguinsFile()) }),
  outputs: { rows: rowsType },
  fingerprint: ({ path }) => fileFingerprint(path),
  run: async (ctx, _inputs, { path }) => {
    const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, string | number | null>[];
    const rows = raw
      .filter((r) => FEATURES.every((f) => typeof r[f] === "number") && typeof r.Species === "string")
      .map((r) => ({ species: String(r.Species), island: String(r.Island), features: FEATURES.map((f) => r[f] as number) }));
    ctx.log.info(`kept ${rows.length} of ${raw.length} rows`);
    ctx.log.metric("rows", rows.length);
    return { rows };
  },
});

/** Deterministic split: every row's split follows from a seeded shuffle of the row order. */
export const split = step({
  name: "split",
  inputs: { rows: rowsType },
  outputs: { train: rowsType, eval: rowsType },
  params: z.object({ evalFraction: z.number().gt(0).lt(1).default(0.25) }),
  run: (ctx, { rows }, { evalFraction }) => {
    const order = ctx.rng.shuffle(rows.map((_, i) => i));
    const cut = Math.round(rows.length * evalFraction);
    const pick = (idx: number[]) => idx.sort((a, b) => a - b).map((i) => rows[i] as Penguin);
    return { eval: pick(order.slice(0, cut)), train: pick(order.slice(cut)) };
  },
});

const scalerType = t.json<{ mean: number[]; std: number[] }>();

/** Fit a standard scaler on the training split only. */
export const fitScaler = step({
  name: "fit_scaler",
  inputs: { train: rowsType },
  outputs: { scaler: scalerType },
  run: (_ctx, { train }) => {
    const n = train.length;
    const mean = FEATURES.map((_, j) => train.reduce((s, r) => s + (r.features[j] ?? 0), 0) / n);
    const std = FEATURES.map((_, j) => Math.sqrt(train.reduce((s, r) => s + ((r.features[j] ?? 0) - (mean[j] ?? 0)) ** 2, 0) / n) || 1);
    return { scaler: { mean, std } };
  },
});

const modelType = t.json<{ classes: string[]; weights: number[][]; bias: number[] }>();

function scale(x: number[], s: { mean: number[]; std: number[] }): number[] {
  return x.map((v, j) => (v - (s.mean[j] ?? 0)) / (s.std[j] ?? 1));
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function scores(model: { weights: number[][]; bias: number[] }, x: number[]): number[] {
  return model.weights.map((w, k) => w.reduce((s, wj, j) => s + wj * (x[j] ?? 0), model.bias[k] ?? 0));
}

/** Multinomial logistic regression by mini-batch gradient descent (seeded init and shuffling). */
export const train = step({
  name: "train",
  inputs: { train: rowsType, scaler: scalerType },
  outputs: { model: modelType },
  params: z.object({ epochs: z.number().int().min(1).default(60), learningRate: z.number().positive().default(0.1), batchSize: z.number().int().min(1).default(16) }),
  run: (ctx, { train: rows, scaler }, { epochs, learningRate, batchSize }) => {
    const classes = [...new Set(rows.map((r) => r.species))].sort();
    const d = FEATURES.length;
    const weights = classes.map(() => Array.from({ length: d }, () => ctx.rng.normal() * 0.01));
    const bias = classes.map(() => 0);
    const xs = rows.map((r) => scale(r.features, scaler));
    const ys = rows.map((r) => classes.indexOf(r.species));
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = ctx.rng.shuffle(xs.map((_, i) => i));
      let loss = 0;
      for (let b = 0; b < order.length; b += batchSize) {
        const batch = order.slice(b, b + batchSize);
        const gw = classes.map(() => new Array<number>(d).fill(0));
        const gb = classes.map(() => 0);
        for (const i of batch) {
          const x = xs[i] as number[];
          const p = softmax(scores({ weights, bias }, x));
          loss -= Math.log(Math.max(p[ys[i] as number] ?? 0, 1e-12));
          p.forEach((pk, k) => {
            const g = pk - (k === ys[i] ? 1 : 0);
            gb[k] = (gb[k] ?? 0) + g;
            x.forEach((xj, j) => ((gw[k] as number[])[j] = ((gw[k] as number[])[j] ?? 0) + g * xj));
          });
        }
        for (let k = 0; k < classes.length; k++) {
          bias[k] = (bias[k] ?? 0) - (learningRate * (gb[k] ?? 0)) / batch.length;
          for (let j = 0; j < d; j++) (weights[k] as number[])[j] = ((weights[k] as number[])[j] ?? 0) - (learningRate * ((gw[k] as number[])[j] ?? 0)) / batch.length;
        }
      }
      ctx.log.metric("loss", loss / rows.length, epoch);
    }
    return { model: { classes, weights, bias } };
  },
});

/** Accuracy overall and per island, a confusion matrix, and a Markdown report. */
export const evaluate = step({
  name: "evaluate",
  inputs: { eval: rowsType, scaler: scalerType, model: modelType },
  outputs: { metrics: t.json<{ accuracy: number; n: number; perIsland: Record<string, number>; confusion: Record<string, Record<string, number>> }>(), report: t.file() },
  run: async (ctx, { eval: rows, scaler, model }) => {
    const confusion: Record<string, Record<string, number>> = {};
    const byIsland: Record<string, [number, number]> = {};
    let correct = 0;
    for (const r of rows) {
      const p = softmax(scores(model, scale(r.features, scaler)));
      const predicted = model.classes[p.indexOf(Math.max(...p))] ?? "?";
      const row = (confusion[r.species] ??= {});
      row[predicted] = (row[predicted] ?? 0) + 1;
      const isl = (byIsland[r.island] ??= [0, 0]);
      isl[1]++;
      if (predicted === r.species) {
        correct++;
        isl[0]++;
      }
    }
    const accuracy = correct / rows.length;
    const perIsland = Object.fromEntries(Object.entries(byIsland).sort().map(([k, [c, n]]) => [k, c / n]));
    ctx.log.metric("accuracy", accuracy);
    const report = join(ctx.scratchDir, "report.md");
    const lines = [
      "# Penguin species classifier",
      "",
      `Eval accuracy: **${(accuracy * 100).toFixed(1)}%** on ${rows.length} penguins.`,
      "",
      "| island | accuracy |",
      "|---|---|",
      ...Object.entries(perIsland).map(([k, v]) => `| ${k} | ${(v * 100).toFixed(1)}% |`),
      "",
    ];
    await writeFile(report, lines.join("\n"));
    return { metrics: { accuracy, n: rows.length, perIsland, confusion }, report };
  },
});
