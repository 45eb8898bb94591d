/**
 * The batch inference step: a model artifact and a dataset in, a predictions dataset out, scored in streaming
 * batches and tracked like any step (cached, with lineage from each prediction set back to the model and data).
 *
 * @example
 * ```ts
 * const { bundle } = bundleStep({ transform, model });
 * const { predictions } = batchPredict({ model: bundle, dataset: splits }, { params: { splits: ["eval"], keep: ["id"] } });
 * ```
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { step, type Step } from "../../core/step.js";
import type { ArtifactType } from "../../core/types.js";
import type { ServingBundle } from "../../bundle/bundle.js";
import { bundleType } from "../../bundle/type.js";
import { dataset } from "../../data/dataset/type.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import { servableFromBundle, type ServableModel } from "../model.js";
import { outputKinds, scoreDataset } from "./score.js";

/** Parameters of a batch inference step. */
export const batchPredictParams = z
  .object({
    /** Splits to score (default: all). */
    splits: z.array(z.string()).min(1).optional(),
    /** Rows per predict call. */
    batchSize: z.number().int().min(1).default(256),
    /** Input columns copied beside the predictions. */
    keep: z.array(z.string()).default([]),
    /** Output shards per split. */
    shards: z.number().int().min(1).default(1),
  })
  .strict();

/**
 * Make a batch inference step for a model artifact type and a way to make its servable (for models that are
 * not serving bundles, or a bundle type of your own).
 */
export function batchPredictStep<T>(options: { name?: string; model: ArtifactType<T>; load: (value: T) => Promise<ServableModel> | ServableModel }): Step<{ model: ArtifactType<T>; dataset: ArtifactType<Dataset, "dataset"> }, { predictions: ArtifactType<Dataset, "dataset"> }, typeof batchPredictParams> {
  return step({
    name: options.name ?? "batch_predict",
    description: "score a dataset with a model, in streaming batches",
    inputs: { model: options.model, dataset: dataset() },
    outputs: { predictions: dataset() },
    params: batchPredictParams,
    run: async (ctx, { model, dataset: data }, p) => {
      const servable = await options.load(model);
      const splits = p.splits ?? data.splits;
      const writer = await DatasetWriter.create(join(ctx.scratchDir, "predictions"), {
        splits,
        shards: p.shards,
        kinds: { ...Object.fromEntries(p.keep.map((k) => [k, data.features[k]]).filter(([, v]) => v !== undefined)), ...outputKinds(servable) },
        source: { kind: "batch_predict", model: servable.name, version: servable.version },
      });
      try {
        const counts = await scoreDataset(servable, data, writer, { splits, batchSize: p.batchSize, keep: p.keep }, ctx.signal);
        for (const [split, n] of Object.entries(counts)) ctx.log.info(`scored ${n} rows of split "${split}"`);
      } catch (e) {
        await writer.abort();
        throw e;
      }
      return { predictions: await writer.close() };
    },
  });
}

/**
 * The built-in batch inference step over serving bundles (the bundle step's output): raw rows in, the bundle's
 * outputs (`probabilities`, `class`, ...) out, with `keep` columns beside them.
 */
export const batchPredict = batchPredictStep<ServingBundle>({ model: bundleType(), load: (bundle) => servableFromBundle(bundle) });
