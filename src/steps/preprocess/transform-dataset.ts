/**
 * `transform_dataset`: apply a fitted transform to a dataset (batch inference, or new data for an old
 * transform). The same code as `preprocess`'s own output.
 *
 * @example
 * ```ts
 * const { dataset: features } = transformDataset({ transform, dataset: fresh });
 * ```
 * @module
 */
import { z } from "zod";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import { transformType } from "../../transform/artifact.js";
import { writeTransformed } from "./run.js";

const count = z.number().int().min(1);

/** Apply a fitted transform to every split of a dataset (see the module comment). */
export const transformDataset = step({
  name: "transform_dataset",
  description: "apply a fitted transform to every split of a dataset",
  version: "1",
  inputs: { transform: transformType(), dataset: dataset() },
  outputs: { dataset: dataset() },
  params: z
    .object({
      splits: z.array(z.string()).min(1).optional(),
      shards: z.union([count, z.record(z.string(), count)]).optional(),
      /** Rebuild custom transforms from the source stored in the transform (only for your own transforms). */
      trustStoredCode: z.boolean().default(false),
    })
    .strict(),
  run: async (ctx, { transform, dataset: data }, p) => ({
    dataset: await writeTransformed(ctx, data, transform, { splits: p.splits, shards: p.shards, trustStoredCode: p.trustStoredCode }),
  }),
});
