/**
 * User-defined transforms: pure TypeScript functions of a raw row (the declared input features) and the
 * analyzer outputs of the training split. Their source text is hashed into the step's code hash (so editing one
 * re-runs preprocessing) and stored in the transform artifact.
 *
 * @example
 * ```ts
 * const bmi: CustomTransform = {
 *   inputs: ["mass_kg", "height_m"],
 *   fn: (row, a) => ((row.mass_kg as number) / (row.height_m as number) ** 2 - a.mean("mass_kg")) / 10,
 * };
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import { sha256 } from "../core/hash.js";
import type { AnalyzerSummary } from "./format.js";
import type { RawRow } from "./values.js";

/** Analyzer outputs of the training split, for the raw features a custom transform declared as inputs. */
export interface AnalyzerOutputs {
  /** Non-missing values seen. */
  count(feature: string): number;
  missing(feature: string): number;
  mean(feature: string): number;
  variance(feature: string): number;
  /** Population standard deviation. */
  std(feature: string): number;
  min(feature: string): number;
  max(feature: string): number;
  /** The q-quantile (0 ≤ q ≤ 1), to the nearest percentile. */
  quantile(feature: string, q: number): number;
  /** Distinct values, most frequent first. */
  vocabulary(feature: string): readonly string[];
}

/** A user-defined transform's function: pure, deterministic, no I/O. Return null for "missing". */
export type CustomTransformFn = (row: RawRow, analyzers: AnalyzerOutputs) => number | readonly number[] | null;

/** A user-defined transform. */
export interface CustomTransform {
  /** Raw features the function reads (and whose analyzers it may use). */
  readonly inputs: readonly string[];
  readonly fn: CustomTransformFn;
  /** Output width (default 1: a scalar). */
  readonly size?: number;
  /** Value used when the function returns null (default: a null result is an error). */
  readonly fill?: number;
}

/** Source text of a function with line endings and trailing spaces normalised. */
export function functionSource(fn: (...args: never[]) => unknown): string {
  return fn.toString().replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "");
}

/** SHA-256 of a function's normalised source. */
export function functionHash(fn: (...args: never[]) => unknown): string {
  return sha256(functionSource(fn));
}

/** The {@link AnalyzerOutputs} view of stored analyzer summaries; `allowed` limits which features it answers for. */
export function analyzerOutputs(summaries: { readonly [feature: string]: AnalyzerSummary }, owner: string, allowed: readonly string[]): AnalyzerOutputs {
  const get = (feature: string, what: string): AnalyzerSummary => {
    const s = summaries[feature];
    if (!allowed.includes(feature) || !s) {
      throw new KoanError("USAGE", `custom transform "${owner}" asked for ${what} of "${feature}", which is not one of its inputs`, {
        hint: `add "${feature}" to its inputs`,
      });
    }
    return s;
  };
  const num = (feature: string, what: string, v: number | undefined): number => {
    if (v === undefined) throw new KoanError("USAGE", `custom transform "${owner}": ${what} of "${feature}" is not available (it is not a numeric feature with values)`);
    return v;
  };
  return {
    count: (f) => get(f, "the count").count,
    missing: (f) => get(f, "the missing count").missing,
    mean: (f) => num(f, "the mean", get(f, "the mean").mean),
    variance: (f) => num(f, "the variance", get(f, "the variance").variance),
    std: (f) => Math.sqrt(num(f, "the variance", get(f, "the standard deviation").variance)),
    min: (f) => num(f, "the min", get(f, "the min").min),
    max: (f) => num(f, "the max", get(f, "the max").max),
    quantile: (f, q) => {
      const p = get(f, "a quantile").percentiles;
      if (!p) throw new KoanError("USAGE", `custom transform "${owner}": quantiles of "${f}" are not available (it is not a numeric feature with values)`);
      if (!(q >= 0 && q <= 1)) throw new KoanError("USAGE", `custom transform "${owner}": quantile ${q} is not in [0, 1]`);
      return p[Math.round(q * 100)] as number;
    },
    vocabulary: (f) => (get(f, "the vocabulary").top ?? []).map(([v]) => v),
  };
}
