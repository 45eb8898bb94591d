/** Test data: the penguins table of `vega-datasets`, made numeric (standardized, one-hot island) as a transform would. */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Dataset } from "../../src/data/dataset/dataset.js";
import { DatasetWriter } from "../../src/data/dataset/writer.js";
import type { FeatureSpec } from "../../src/train/feature-spec.js";

interface Penguin {
  Species: string;
  Island: string;
  "Beak Length (mm)": number | null;
  "Beak Depth (mm)": number | null;
  "Flipper Length (mm)": number | null;
  "Body Mass (g)": number | null;
  Sex: string | null;
}

export const SPECIES = ["Adelie", "Chinstrap", "Gentoo"];
export const ISLANDS = ["Biscoe", "Dream", "Torgersen"];

/** The complete rows of penguins.json, in file order. */
export function penguins(): Penguin[] {
  const file = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "penguins.json");
  const rows = JSON.parse(readFileSync(file, "utf8")) as Penguin[];
  return rows.filter((r) => r["Beak Length (mm)"] !== null && r["Body Mass (g)"] !== null);
}

/** Numeric rows: 3 standardized measurements, island one-hot (3 values), labels species (string), adelie (0/1), mass. */
export function numericRows(): Record<string, unknown>[] {
  return penguins().map((p) => ({
    bill_length: ((p["Beak Length (mm)"] as number) - 44) / 5.5,
    bill_depth: ((p["Beak Depth (mm)"] as number) - 17) / 2,
    flipper: ((p["Flipper Length (mm)"] as number) - 200) / 14,
    island: ISLANDS.map((i) => (i === p.Island ? 1 : 0)),
    island_name: p.Island,
    sex: p.Sex ?? "",
    species: p.Species,
    adelie: BigInt(p.Species === "Adelie" ? 1 : 0),
    body_mass: (p["Body Mass (g)"] as number) / 1000,
  }));
}

/** Write the numeric penguins as a dataset: every 5th row in `eval`, the rest in `train` (2 shards each). */
export async function penguinDataset(folder: string, options: { splits?: string[]; map?: (row: Record<string, unknown>, i: number) => Record<string, unknown> } = {}): Promise<Dataset> {
  const splits = options.splits ?? ["train", "eval"];
  const w = await DatasetWriter.create(folder, { splits, shards: 2, kinds: { island: "float", adelie: "int64" } });
  const rows = numericRows();
  for (const [i, r] of rows.entries()) {
    const split = splits.length === 1 ? (splits[0] as string) : i % 5 === 0 ? (splits[1] as string) : (splits[0] as string);
    await w.write(split, (options.map ? options.map(r, i) : r) as never);
  }
  return w.close();
}

/** Inputs: 3 measurements + island one-hot. */
export const INPUTS: FeatureSpec["inputs"] = [
  { name: "bill_length", dtype: "float32", shape: [] },
  { name: "bill_depth", dtype: "float32", shape: [] },
  { name: "flipper", dtype: "float32", shape: [] },
  { name: "island", dtype: "float32", shape: [3] },
];

export const speciesSpec: FeatureSpec = { inputs: INPUTS, label: { name: "species", kind: "multiclass", classes: SPECIES } };
export const adelieSpec: FeatureSpec = { inputs: INPUTS, label: { name: "adelie", kind: "binary" } };
export const massSpec: FeatureSpec = { inputs: INPUTS.filter((i) => i.name !== "island"), label: { name: "body_mass", kind: "regression" } };
