/**
 * Small, real servables for the serving tests and bench: a softmax-regression penguin classifier fitted in pure
 * TypeScript on vega-datasets' penguins (string and numeric raw inputs, the "bundle" stand-in), and models whose
 * signatures fit the KServe request fixtures.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FeatureValue, ServableModel } from "../../src/serving/model.js";

type Row = Record<string, FeatureValue>;

/** Raw penguin rows (features as the model takes them) and their species. */
export function penguinRows(): { rows: Row[]; species: string[] } {
  const file = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "penguins.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, string | number | null>[];
  const usable = raw.filter((r) => r["Beak Length (mm)"] !== null);
  return {
    rows: usable.map((r) => ({
      island: r.Island as string,
      bill_length_mm: r["Beak Length (mm)"] as number,
      bill_depth_mm: r["Beak Depth (mm)"] as number,
      flipper_length_mm: r["Flipper Length (mm)"] as number,
      body_mass_g: r["Body Mass (g)"] as number,
      sex: r.Sex === null ? null : String(r.Sex),
    })),
    species: usable.map((r) => r.Species as string),
  };
}

const NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"] as const;
const ISLANDS = ["Biscoe", "Dream", "Torgersen"];
const SEXES = ["MALE", "FEMALE"];
export const SPECIES = ["Adelie", "Chinstrap", "Gentoo"];

/** A fitted penguin classifier: standardisation + one-hot encoding (the "transform") and softmax weights. */
export interface PenguinWeights {
  mean: number[];
  std: number[];
  w: number[][]; // [class][feature]
}

function features(row: Row, p: Pick<PenguinWeights, "mean" | "std">): number[] {
  const x: number[] = NUMERIC.map((k, i) => {
    const v = row[k];
    return typeof v === "number" && Number.isFinite(v) ? (v - (p.mean[i] as number)) / (p.std[i] as number) : 0;
  });
  for (const island of ISLANDS) x.push(row.island === island ? 1 : 0);
  for (const sex of SEXES) x.push(row.sex === sex ? 1 : 0);
  x.push(1);
  return x;
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Fit by full-batch gradient descent (deterministic). */
export function fitPenguins(iterations = 200): PenguinWeights {
  const { rows, species } = penguinRows();
  const mean = NUMERIC.map((k) => rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length);
  const std = NUMERIC.map((k, i) => Math.sqrt(rows.reduce((a, r) => a + ((r[k] as number) - (mean[i] as number)) ** 2, 0) / rows.length));
  const X = rows.map((r) => features(r, { mean, std }));
  const y = species.map((s) => SPECIES.indexOf(s));
  const d = (X[0] as number[]).length;
  const w = SPECIES.map(() => new Array<number>(d).fill(0));
  for (let it = 0; it < iterations; it++) {
    const grad = SPECIES.map(() => new Array<number>(d).fill(0));
    X.forEach((x, n) => {
      const p = softmax(w.map((wc) => wc.reduce((a, v, j) => a + v * (x[j] as number), 0)));
      p.forEach((pc, c) => {
        const g = pc - (y[n] === c ? 1 : 0);
        const gc = grad[c] as number[];
        for (let j = 0; j < d; j++) gc[j] = (gc[j] as number) + g * (x[j] as number);
      });
    });
    w.forEach((wc, c) => wc.forEach((_, j) => (wc[j] = (wc[j] as number) - (0.5 * ((grad[c] as number[])[j] as number)) / X.length)));
  }
  return { mean, std, w };
}

/** Predict one row in process (what the server must reproduce exactly). */
export function predictPenguin(row: Row, p: PenguinWeights): { species: string; probabilities: number[] } {
  const x = features(row, p);
  const probabilities = softmax(p.w.map((wc) => wc.reduce((a, v, j) => a + v * (x[j] as number), 0)));
  let best = 0;
  probabilities.forEach((v, i) => (v > (probabilities[best] as number) ? (best = i) : undefined));
  return { species: SPECIES[best] as string, probabilities };
}

/** The penguin classifier as a servable. */
export function penguinServable(weights: PenguinWeights = fitPenguins(), options: { name?: string; version?: string; onPredict?: (rows: number) => void | Promise<void> } = {}): ServableModel {
  return {
    name: options.name ?? "penguins",
    version: options.version ?? "1",
    signature: {
      inputs: [
        { name: "island", datatype: "BYTES", shape: [-1] },
        { name: "bill_length_mm", datatype: "FP32", shape: [-1] },
        { name: "bill_depth_mm", datatype: "FP32", shape: [-1] },
        { name: "flipper_length_mm", datatype: "FP32", shape: [-1] },
        { name: "body_mass_g", datatype: "INT64", shape: [-1] },
        { name: "sex", datatype: "BYTES", shape: [-1], optional: true },
      ],
      outputs: [
        { name: "species", datatype: "BYTES", shape: [-1] },
        { name: "probabilities", datatype: "FP64", shape: [-1, 3] },
      ],
    },
    async predict(rows) {
      await options.onPredict?.(rows.length);
      return rows.map((r) => predictPenguin(r, weights));
    },
  };
}

/** A V2 request for penguin rows (columns as tensors). */
export function penguinV2Request(rows: readonly Row[], id?: string): Record<string, unknown> {
  const col = (k: string) => rows.map((r) => r[k]);
  return {
    ...(id ? { id } : {}),
    inputs: [
      { name: "island", datatype: "BYTES", shape: [rows.length], data: col("island") },
      { name: "bill_length_mm", datatype: "FP32", shape: [rows.length], data: col("bill_length_mm") },
      { name: "bill_depth_mm", datatype: "FP32", shape: [rows.length], data: col("bill_depth_mm") },
      { name: "flipper_length_mm", datatype: "FP32", shape: [rows.length], data: col("flipper_length_mm") },
      { name: "body_mass_g", datatype: "INT64", shape: [rows.length], data: col("body_mass_g") },
      ...(rows.every((r) => typeof r.sex === "string") ? [{ name: "sex", datatype: "BYTES", shape: [rows.length], data: col("sex") }] : []),
    ],
  };
}

/** Iris-like model for the KServe iris fixtures: one FP32 [-1, 4] input, a class per row. */
export function irisServable(): ServableModel {
  return {
    name: "iris",
    version: "1",
    signature: { inputs: [{ name: "input-0", datatype: "FP32", shape: [-1, 4] }], outputs: [{ name: "output-0", datatype: "INT64", shape: [-1] }] },
    async predict(rows) {
      return rows.map((r) => {
        const [, , petalLength, petalWidth] = r["input-0"] as number[];
        return { "output-0": (petalLength as number) < 2.5 ? 0 : (petalWidth as number) < 1.75 ? 1 : 2 };
      });
    },
  };
}

const TITANIC = [
  ["PassengerId", "INT64"], ["Pclass", "INT64"], ["Name", "BYTES"], ["Sex", "BYTES"], ["Age", "FP64"], ["SibSp", "INT64"],
  ["Parch", "INT64"], ["Ticket", "BYTES"], ["Fare", "FP64"], ["Cabin", "BYTES"], ["Embarked", "BYTES"],
] as const;

/** Titanic model for the AutoGluon fixture. */
export function titanicServable(): ServableModel {
  return {
    name: "titanic",
    version: "1",
    signature: { inputs: TITANIC.map(([name, datatype]) => ({ name, datatype, shape: [-1] })), outputs: [{ name: "Survived", datatype: "INT64", shape: [-1] }] },
    async predict(rows) {
      return rows.map((r) => ({ Survived: r.Sex === "female" || (r.Pclass as number) === 1 ? 1 : 0 }));
    },
  };
}

const WINE = ["fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides", "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol"];

/** Wine-quality model for the MLflow fixture (input names with spaces). */
export function wineServable(): ServableModel {
  return {
    name: "wine",
    version: "1",
    signature: { inputs: WINE.map((name) => ({ name, datatype: "FP32" as const, shape: [-1] })), outputs: [{ name: "quality", datatype: "FP64", shape: [-1] }] },
    async predict(rows) {
      return rows.map((r) => ({ quality: 3 + 0.3 * (r.alcohol as number) - 2 * (r["volatile acidity"] as number) }));
    },
  };
}

/** Image model for the TF Serving flowers fixture (`image_bytes` as base64, `key`). */
export function flowersServable(): ServableModel {
  return {
    name: "flowers",
    version: "1",
    signature: {
      inputs: [{ name: "image_bytes", datatype: "BYTES", shape: [-1] }, { name: "key", datatype: "BYTES", shape: [-1] }],
      outputs: [{ name: "key", datatype: "BYTES", shape: [-1] }, { name: "size", datatype: "INT64", shape: [-1] }, { name: "jpeg", datatype: "BOOL", shape: [-1] }],
    },
    async predict(rows) {
      return rows.map((r) => {
        const img = r.image_bytes as Uint8Array;
        return { key: r.key as string, size: img.length, jpeg: img[0] === 0xff && img[1] === 0xd8 };
      });
    },
  };
}
