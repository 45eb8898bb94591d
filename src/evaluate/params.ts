/**
 * Evaluator parameters. Slices are written compactly: `"island"` (by value), `["island", "sex"]` (crossed),
 * `{ feature: "body_mass", boundaries: [3.5, 4.5] }` (numeric buckets), or a list mixing these (crossed).
 * @module
 */
import { z } from "zod";
import type { SliceSpec } from "./types.js";

const sliceColumn = z.union([z.string().min(1), z.object({ feature: z.string().min(1), boundaries: z.array(z.number()).min(1) }).strict()]);

/** One slicing spec as written in parameters. */
export const sliceSpecParam = z.union([sliceColumn, z.array(sliceColumn).min(1)]);

/** One threshold as written in parameters (see {@link MetricThreshold}). */
export const thresholdParam = z
  .object({
    metric: z.string().min(1),
    split: z.string().optional(),
    slice: z.string().optional(),
    value: z.object({ lowerBound: z.number().optional(), upperBound: z.number().optional() }).strict().optional(),
    change: z
      .object({ direction: z.enum(["higher_is_better", "lower_is_better"]), absolute: z.number().optional(), relative: z.number().optional() })
      .strict()
      .optional(),
  })
  .strict();

/** Parameters of the evaluator steps. */
export const evaluatorParams = z
  .object({
    /** Splits to evaluate. */
    splits: z.array(z.string().min(1)).min(1).default(["eval"]),
    slices: z.array(sliceSpecParam).default([]),
    thresholds: z.array(thresholdParam).default([]),
    /** Binary: predictions above it are positive. */
    decisionThreshold: z.number().min(0).max(1).default(0.5),
    calibrationBins: z.number().int().min(1).max(10_000).default(10),
    residualBins: z.number().int().min(1).max(10_000).default(20),
    /** Rows per predict call. */
    batchSize: z.number().int().min(1).default(1024),
    /** TF.js backend for TF.js models. */
    backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]).default("auto"),
  })
  .strict();

/** Validated evaluator parameters. */
export type EvaluatorParams = z.output<typeof evaluatorParams>;

/** Normalise slice parameters into slice specs. */
export function normalizeSlices(slices: readonly z.output<typeof sliceSpecParam>[]): SliceSpec[] {
  const column = (c: z.output<typeof sliceColumn>) => (typeof c === "string" ? { feature: c } : { feature: c.feature, boundaries: c.boundaries });
  return slices.map((s) => (Array.isArray(s) ? s.map(column) : [column(s as z.output<typeof sliceColumn>)]));
}
