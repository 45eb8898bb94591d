/**
 * `customSplit`: a split step from a user function `(row) => splitName` (or null/undefined to drop the row). The
 * function must be pure (it sees one row, never an index or randomness), so the result is deterministic; its
 * source text joins the step's code hash, so editing it re-runs the step.
 *
 * @example
 * ```ts
 * const byYear = customSplit({
 *   name: "by_year",
 *   splits: ["train", "eval"],
 *   fn: (row) => (String(row.date) < "2015" ? "train" : "eval"),
 * });
 * // in a pipeline: byYear({ dataset })
 * ```
 * @module
 */
import { z } from "zod";
import { KoanError, messageOf } from "../../core/errors.js";
import type { StandardSchemaV1 } from "../../core/standard-schema.js";
import { callable, makeDefinition, type Ports, type Step, type StepContext, type StepOptions } from "../../core/step.js";
import { dataset, type Dataset } from "../../data/dataset/index.js";
import { rowFromExample, type RowValue } from "../../data/example/rows.js";
import { functionSource } from "../../transform/custom.js";
import { fromParam, orderSplits, shardsFor, shardsParam } from "./params.js";
import { inputSplits, writeSplits } from "./run-split.js";

/** A custom split function: a plain row (int64 as numbers) to a split name, or null/undefined to drop it. */
export type SplitFn = (row: Readonly<Record<string, RowValue>>) => string | null | undefined;

/** Options of {@link customSplit}. */
export interface CustomSplitOptions {
  /** Step name (default `custom_split`). */
  readonly name?: string;
  /** Every split the function may return. */
  readonly splits: readonly string[];
  readonly fn: SplitFn;
}

const params = z.object({ from: fromParam, shards: shardsParam, order: z.array(z.string()).min(1).optional() }).strict();
const inputs = { dataset: dataset() };
const outputs = { dataset: dataset() };

/** Make a split step from a function. */
export function customSplit(options: CustomSplitOptions): Step<typeof inputs, typeof outputs, typeof params> {
  const { fn } = options;
  if (typeof fn !== "function") throw new KoanError("STEP_INVALID", "customSplit needs a function fn(row) => split name");
  const declared = orderSplits(options.splits);
  if (declared.length === 0) throw new KoanError("STEP_INVALID", "customSplit needs at least one split name");
  const run = async (ctx: StepContext, input: { dataset: Dataset }, p: z.output<typeof params>) => {
    const data = input.dataset;
    const splits = p.order ? orderSplits(declared, p.order) : declared;
    const known = new Set(splits);
    const out = await writeSplits(ctx, data, {
      method: "custom",
      splits,
      shards: shardsFor(splits, p.shards),
      from: inputSplits(data, p.from),
      details: { fn: functionSource(fn).slice(0, 2000) },
      assign: (ex, at) => {
        let s: string | null | undefined;
        try {
          s = fn(rowFromExample(ex, { int64: "number" }));
        } catch (e) {
          throw new KoanError("DATA_INVALID", `the split function threw on row ${at.row} of split "${at.split}": ${messageOf(e)}`, { cause: e, details: { row: at.row, split: at.split } });
        }
        if (s === null || s === undefined) return null;
        if (typeof s !== "string" || !known.has(s)) {
          throw new KoanError("DATA_INVALID", `the split function returned ${JSON.stringify(s)} for row ${at.row} of split "${at.split}", which is not one of its splits (${splits.join(", ")})`, {
            details: { row: at.row, split: at.split },
          });
        }
        return s;
      },
    });
    return { dataset: out };
  };
  const definition = makeDefinition(
    {
      name: options.name ?? "custom_split",
      description: "split rows with a user function",
      inputs,
      outputs,
      params,
      version: "1",
      run,
    } as unknown as StepOptions<Ports, Ports, StandardSchemaV1 | undefined>,
    { source: `${run.toString()}\0${declared.join(",")}\0${functionSource(fn)}`, meta: { splits: declared } },
  );
  return callable(definition);
}
