/**
 * The work of `preprocess`: plan, analyze the training split (shard by shard, merged), fit, then write every
 * split through the fitted transform. Nothing is committed on failure (the writer is aborted).
 * @module
 */
import { join } from "node:path";
import { KoanError } from "../../core/errors.js";
import { hashJson } from "../../core/hash.js";
import type { StepContext } from "../../core/step.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import { readExamples } from "../../data/example/files.js";
import type { ApplyOptions } from "../../transform/apply.js";
import { compileTransform, withRow } from "../../transform/apply.js";
import type { PreprocessConfig } from "../../transform/config.js";
import type { CustomTransform } from "../../transform/custom.js";
import { fitTransform, TransformAnalyzer } from "../../transform/fit.js";
import type { FittedTransform } from "../../transform/format.js";
import { resolvePlan } from "../../transform/plan.js";
import { exampleScalar } from "../../transform/values.js";

/** Analyze the training split and fit a transform. */
export async function fitOnDataset(ctx: StepContext, data: Dataset, config: PreprocessConfig, custom: Readonly<Record<string, CustomTransform>> = {}): Promise<FittedTransform> {
  const plan = resolvePlan({ config, kinds: data.features, splits: data.splits, schema: await data.schema(), custom });
  const total = new TransformAnalyzer(plan);
  let row = 0;
  for (const path of await data.shardPaths(plan.trainSplit)) {
    // Each shard gets its own analyzers, merged in shard order (the same merge a distributed run would do).
    const shard = new TransformAnalyzer(plan);
    for await (const ex of readExamples(path, { kinds: data.features })) {
      ctx.signal.throwIfAborted();
      try {
        shard.add((name, kind) => exampleScalar(ex, name, kind));
      } catch (e) {
        throw withRow(e, { split: plan.trainSplit, row });
      }
      row++;
    }
    total.merge(shard);
  }
  if (total.rows === 0) throw new KoanError("DATA_INVALID", `the training split "${plan.trainSplit}" is empty: there is nothing to fit the transform on`);
  const transform = fitTransform(plan, total);
  ctx.log.info(`fitted on ${total.rows} rows of split "${plan.trainSplit}": ${transform.features.length} features, ${transform.crosses.length} crosses, ${transform.custom.length} custom`);
  return transform;
}

/** Options of {@link writeTransformed}. */
export interface WriteTransformedOptions extends ApplyOptions {
  splits?: readonly string[] | undefined;
  shards?: number | Readonly<Record<string, number>> | undefined;
}

/** Apply a transform to every split of a raw dataset, into a new dataset under the step's scratch folder. */
export async function writeTransformed(ctx: StepContext, data: Dataset, transform: FittedTransform, options: WriteTransformedOptions = {}): Promise<Dataset> {
  const compiled = compileTransform(transform, { ...(options.custom ? { custom: options.custom } : {}), trustStoredCode: options.trustStoredCode ?? false });
  const splits = options.splits ? [...options.splits] : data.splits;
  for (const s of splits) if (!data.splits.includes(s)) throw new KoanError("DATA_INVALID", `the dataset has no split "${s}"`, { hint: `its splits: ${data.splits.join(", ")}` });
  for (const input of transform.inputs) {
    const kind = data.features[input.name];
    if (kind !== undefined && kind !== input.kind) {
      throw new KoanError("DATA_INVALID", `feature "${input.name}" is ${kind} in the dataset, but the transform was fitted on ${input.kind}`, { details: { feature: input.name } });
    }
  }
  const shards: Record<string, number> = {};
  for (const s of splits) {
    const given = typeof options.shards === "number" ? options.shards : options.shards?.[s];
    shards[s] = given ?? Math.max(1, data.manifest.splits[s]?.shards.length ?? 1);
  }
  const writer = await DatasetWriter.create(join(ctx.scratchDir, "transformed"), {
    splits,
    shards,
    kinds: compiled.outputKinds(),
    source: { kind: "transform", transform: hashJson(transform), from: data.manifest.source },
  });
  try {
    for (const split of splits) {
      let row = 0;
      let unknown = 0;
      const label = transform.label;
      for await (const ex of data.examples(split)) {
        ctx.signal.throwIfAborted();
        const out = compiled.applyExample(ex, { split, row });
        if (label?.task === "classification") {
          const y = out.get(label.name);
          if (y && y.values.length && y.values[0] === -1n) unknown++;
        }
        await writer.write(split, out);
        row++;
      }
      ctx.log.metric(`rows.${split}`, row);
      if (unknown > 0) ctx.log.warn(`split "${split}": ${unknown} rows have a label class not seen in "${transform.trainSplit}" (encoded as -1)`);
      if (row === 0) ctx.log.warn(`split "${split}" is empty`);
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.close();
}
