/** Pipelines for trainer/evaluator tests: a penguins source step, a spec, and a temp project. */
import { join } from "node:path";
import { z } from "zod";
import { Koan } from "../../src/client/client.js";
import { step } from "../../src/core/step.js";
import { dataset } from "../../src/data/dataset/type.js";
import type { Dataset } from "../../src/data/dataset/dataset.js";
import { featureSpecType } from "../../src/train/spec-type.js";
import type { FeatureSpec } from "../../src/train/feature-spec.js";
import { tempDir } from "../helpers.js";
import { penguinDataset } from "./penguins.js";

/** A source step writing the numeric penguins; `nanRow` puts NaN in one row's bill_length (train split). */
export const penguinSource = step({
  name: "penguins",
  outputs: { dataset: dataset() },
  params: z.object({ splits: z.array(z.string()).default(["train", "eval"]), nanRow: z.number().int().nullable().default(null), oneClass: z.boolean().default(false) }),
  run: async (ctx, _inputs, p) =>
    ({
      dataset: await penguinDataset(join(ctx.scratchDir, "data"), {
        splits: p.splits,
        map: (r, i) => ({ ...r, ...(p.nanRow === i ? { bill_length: Number.NaN } : {}), ...(p.oneClass ? { species: "Adelie", adelie: 1n } : {}) }),
      }),
    }) as { dataset: Dataset },
});

/** A step returning the spec given in its parameters. */
export const specSource = step({
  name: "spec",
  outputs: { spec: featureSpecType() },
  params: z.object({ spec: z.unknown() }),
  run: (_ctx, _inputs, p) => ({ spec: p.spec as FeatureSpec }),
});

/** A fresh project. */
export async function project(): Promise<{ dir: string; koan: Koan; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}
