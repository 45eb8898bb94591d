/**
 * Raw rows beside their transformed form, for `koan sample` and for eyeballing a transform.
 * @module
 */
import type { Dataset } from "../data/dataset/dataset.js";
import { rowFromExample, type RowValue } from "../data/example/rows.js";
import { compileTransform, type ApplyOptions, type TransformedRow } from "./apply.js";
import type { FittedTransform } from "./format.js";

/** One sampled row. */
export interface SampledRow {
  readonly raw: Record<string, RowValue>;
  readonly transformed: TransformedRow;
}

/**
 * The first `n` rows of a split of a raw dataset, each with its transformed form.
 * @example
 * ```ts
 * for (const { raw, transformed } of await transformedSample(raw, transform, { split: "eval", n: 3 })) console.log(raw, transformed);
 * ```
 */
export async function transformedSample(
  dataset: Dataset,
  transform: FittedTransform,
  options: { split?: string; n?: number } & ApplyOptions = {},
): Promise<SampledRow[]> {
  const split = options.split ?? dataset.splits[0] ?? "train";
  const n = options.n ?? 5;
  const compiled = compileTransform(transform, options.custom || options.trustStoredCode ? options : undefined);
  const out: SampledRow[] = [];
  if (n <= 0) return out;
  let i = 0;
  for await (const ex of dataset.examples(split)) {
    const raw = rowFromExample(ex, { int64: "number" });
    out.push({ raw, transformed: compiled.applyRow(raw, { split, row: i++ }) });
    if (out.length >= n) break;
  }
  return out;
}
