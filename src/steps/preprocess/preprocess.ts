/**
 * `preprocess`: fit a transform on the training split (analyzers see that split only) and write the transformed
 * dataset (every split). `preprocessWith({ custom })` makes the same step with user-defined transforms; their
 * source text joins the step's code hash, so editing one re-runs it.
 *
 * @example
 * ```ts
 * const { dataset: raw } = fileSource(undefined, { params: { path: "penguins.csv" } });
 * const { dataset: splits } = ratioSplit({ dataset: raw }, { params: { ratios: { train: 0.8, eval: 0.2 } } });
 * const { transform, dataset } = preprocess({ dataset: splits }, { params: { label: "species" } });
 * ```
 * @module
 */
import { callable, makeDefinition, type Ports, type Step, type StepContext, type StepOptions } from "../../core/step.js";
import type { StandardSchemaV1 } from "../../core/standard-schema.js";
import { KoanError } from "../../core/errors.js";
import { dataset, type Dataset } from "../../data/dataset/index.js";
import { transformType } from "../../transform/artifact.js";
import { preprocessParams, type PreprocessConfig } from "../../transform/config.js";
import { functionSource, type CustomTransform } from "../../transform/custom.js";
import { fitOnDataset, writeTransformed } from "./run.js";

const inputs = { dataset: dataset() };
const outputs = { transform: transformType(), dataset: dataset() };

/** The step type of `preprocess` and of steps made with {@link preprocessWith}. */
export type PreprocessStep = Step<typeof inputs, typeof outputs, typeof preprocessParams>;

/** Bump when the preprocessing implementation changes what it produces. */
const VERSION = "1";

function make(name: string, custom: Readonly<Record<string, CustomTransform>>): PreprocessStep {
  const run = async (ctx: StepContext, input: { dataset: Dataset }, p: PreprocessConfig) => {
    const transform = await fitOnDataset(ctx, input.dataset, p, custom);
    const out = await writeTransformed(ctx, input.dataset, transform, { custom, splits: p.splits, shards: p.shards });
    return { transform, dataset: out };
  };
  const names = Object.keys(custom).sort();
  // The code hash covers each custom transform: name, inputs, size, fill and the function's source.
  const source = [
    run.toString(),
    ...names.map((n) => {
      const c = custom[n] as CustomTransform;
      if (typeof c?.fn !== "function") throw new KoanError("STEP_INVALID", `custom transform "${n}" has no function (fn)`);
      return [n, (c.inputs ?? []).join(","), c.size ?? 1, c.fill ?? "", functionSource(c.fn)].join("\0");
    }),
  ].join("\0");
  const definition = makeDefinition(
    {
      name,
      description: "fit a transform on the training split and write the transformed dataset",
      inputs,
      outputs,
      params: preprocessParams,
      version: VERSION,
      run,
    } as unknown as StepOptions<Ports, Ports, StandardSchemaV1 | undefined>,
    { source, meta: names.length ? { custom: names } : {} },
  );
  return callable(definition);
}

/** The built-in preprocessing step (zero-config: `preprocess({ dataset }, { params: { label: "species" } })`). */
export const preprocess: PreprocessStep = make("preprocess", {});

/**
 * A preprocessing step with user-defined transforms (pure functions of a raw row and the analyzer outputs).
 * @example
 * ```ts
 * const prep = preprocessWith({
 *   custom: { bill_ratio: { inputs: ["bill_length_mm", "bill_depth_mm"], fn: (r) => (r.bill_length_mm as number) / (r.bill_depth_mm as number) } },
 * });
 * // in a pipeline: prep({ dataset }, { params: { label: "species" } })
 * ```
 */
export function preprocessWith(options: { name?: string; custom: Readonly<Record<string, CustomTransform>> }): PreprocessStep {
  return make(options.name ?? "preprocess", options.custom);
}
